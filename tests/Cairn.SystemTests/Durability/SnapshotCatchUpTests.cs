using System.Globalization;
using Cairn.SystemTests.Harness;

namespace Cairn.SystemTests.Durability;

/// <summary>
/// Issue 6's snapshot catch-up on real processes: a follower cut off (every relay to and from it) while the others
/// write until the leader has compacted its log past the follower's last entry; healed, the follower can only catch
/// up by a snapshot install (checked in its log, not inferred from convergence), and then holds every acknowledged write.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class SnapshotCatchUpTests(ITestOutputHelper output)
{
    private const int SnapshotEntries = 100;
    private const int LogTailEntries = 10;

    [Fact]
    public async Task FollowerCutOffPastCompaction_IsBroughtBackByASnapshot_AndConverges()
    {
        var spec = new ClusterSpec
        {
            Relays = true,
            ExtraArgs = [$"--Cairn:Cluster:SnapshotEntries={SnapshotEntries}", $"--Cairn:Cluster:SnapshotLogTailEntries={LogTailEntries}",
                "--Cairn:Cluster:WalSegmentBytes=16384"],
        };
        await using var cluster = await TestCluster.StartAsync("snapshot-catch-up", spec);
        await Scenario.RunAsync(cluster, async () =>
        {
            var leader = await cluster.WaitForLeaderAsync();
            var lagging = cluster.Names.First(n => n != leader);
            var majority = cluster.Names.Where(n => n != lagging).ToList();
            await cluster.WaitConvergedAsync();
            cluster.Partition(lagging);
            var cutAt = (await cluster.Client(lagging).ClusterAsync()).LastIndex;
            output.WriteLine($"{lagging} cut off at last index {cutAt}; {leader} leads {string.Join(",", majority)}");

            await using var writer = new AckedWriter(cluster, majority);
            writer.Start();
            // Compaction keeps LogTailEntries below a snapshot's index: past the follower once a snapshot is that far beyond it.
            var snapshotAt = await Poll.UntilAsync($"{leader} snapshotted past {cutAt} + {LogTailEntries}", TimeSpan.FromSeconds(60), () =>
            {
                var newest = NewestSnapshotIndex(cluster.DataDirectory(leader));
                return Task.FromResult((newest > cutAt + LogTailEntries + 1, newest, $"newest snapshot at {newest}, {writer.Acked.Count} acknowledged"));
            });
            await writer.StopAsync();
            Assert.Empty(writer.Errors);
            output.WriteLine($"{leader} took a snapshot at {snapshotAt} (log compacted to {snapshotAt - LogTailEntries}) after {writer.Acked.Count} writes; " +
                $"{leader} data: {StorageFacts.Describe(cluster.DataDirectory(leader))}");
            Assert.DoesNotContain(SnapshotInstalls(cluster[lagging]), _ => true);

            cluster.HealAll();
            var revision = await cluster.WaitConvergedAsync(timeout: TimeSpan.FromSeconds(30));
            var installs = SnapshotInstalls(cluster[lagging]);
            output.WriteLine($"healed; converged at revision {revision}; {lagging} logged: {string.Join(" | ", installs)}");
            Assert.True(installs.Count > 0, $"{lagging} converged without installing a snapshot (it was cut at {cutAt}, the leader compacted to {snapshotAt - LogTailEntries})");
            output.WriteLine($"{lagging}: {await AckCheck.AssertAckedPresentAsync(cluster, lagging, writer)}");
            await cluster.WaitReadyAsync();
        });
    }

    // snapshots/snap-<index:D20>-<term:D20>.snap (src/Cairn.Storage/DESIGN.md).
    private static long NewestSnapshotIndex(string dataDirectory)
    {
        var dir = Path.Combine(dataDirectory, "snapshots");
        if (!Directory.Exists(dir)) return 0;
        return Directory.GetFiles(dir, "snap-*.snap").Select(f => long.Parse(Path.GetFileName(f).Split('-')[1], CultureInfo.InvariantCulture))
            .DefaultIfEmpty(0).Max();
    }

    private static IReadOnlyList<string> SnapshotInstalls(NodeProcess node) =>
        [.. File.ReadLines(node.LogPath).Where(l => l.Contains("installed a snapshot at index", StringComparison.Ordinal))];
}

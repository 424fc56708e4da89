using System.Diagnostics;
using System.Globalization;
using Cairn.SystemTests.Harness;

namespace Cairn.SystemTests.Durability;

/// <summary>
/// Issue 6's crash acceptance on real processes: a durable 3-node cluster (the <c>serve</c> default: a data directory,
/// fsync per batch) under a write load from several clients spread over every node; SIGKILL of one node, then two,
/// then all three, each at a seeded random moment of the load (measured in acknowledged writes, so no sleeping);
/// every node restarted with its own arguments. Afterwards every acknowledged write is there (linearizable read-back
/// against the clients' record), nothing appears that was not written, and the replicas' state hashes agree.
/// Odd seeds run with snapshots every 150 entries, a 20-entry log tail and 16 KiB WAL segments, so snapshots, log
/// compaction, segment removal and snapshot installs on restarted followers all happen while nodes are killed.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class CrashTests(ITestOutputHelper output)
{
    /// <summary>Default tier: one round with snapshot activity, one with the defaults. <c>CAIRN_SYSTEST_CRASH_ROUNDS=N</c>: seeds 1..N.</summary>
    public static TheoryData<int> Seeds()
    {
        var rounds = int.TryParse(Environment.GetEnvironmentVariable("CAIRN_SYSTEST_CRASH_ROUNDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 2;
        var data = new TheoryData<int>();
        for (var seed = 1; seed <= rounds; seed++) data.Add(seed);
        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task AcknowledgedWrites_SurviveSigkillOfOneTwoAndAllNodes(int seed)
    {
        var snapshots = seed % 2 == 1;
        var spec = new ClusterSpec
        {
            ExtraArgs = snapshots
                ? ["--Cairn:Cluster:SnapshotEntries=150", "--Cairn:Cluster:SnapshotLogTailEntries=20", "--Cairn:Cluster:WalSegmentBytes=16384"]
                : [],
        };
        output.WriteLine($"seed {seed} ({(snapshots ? "snapshots every 150 entries, 16 KiB segments" : "default snapshot and segment sizes")}); " +
            $"replay: CAIRN_SYSTEST_CRASH_ROUNDS={seed} dotnet test -c Release tests/Cairn.SystemTests --filter \"FullyQualifiedName~CrashTests\"");
        await using var cluster = await TestCluster.StartAsync($"crash-{seed}", spec);
        // Two clients per node; a client whose node is down retries on the next one with the same request id.
        await using var writer = new AckedWriter(cluster, [.. cluster.Names, .. cluster.Names]);
        await Scenario.RunAsync(cluster, async () =>
        {
            var rng = new Random(seed);
            var names = cluster.Names.ToList();
            var clock = Stopwatch.StartNew();
            writer.Start();
            await AckedMoreAsync(writer, rng.Next(30, 120));

            // One node.
            var one = names[rng.Next(names.Count)];
            await KillAsync(cluster, one, writer, clock);
            await AckedMoreAsync(writer, rng.Next(30, 120));
            await RestartAsync(cluster, [one], writer, clock);
            await AckedMoreAsync(writer, rng.Next(30, 120), TimeSpan.FromSeconds(30));

            // Two nodes: the second falls a random number of writes after the first (the survivors still form a majority
            // until then); then nothing can commit until they are back.
            var two = names.OrderBy(_ => rng.Next()).Take(2).ToList();
            await KillAsync(cluster, two[0], writer, clock);
            await AckedMoreAsync(writer, rng.Next(0, 80));
            await KillAsync(cluster, two[1], writer, clock);
            await RestartAsync(cluster, [.. two.OrderBy(_ => rng.Next())], writer, clock);
            await AckedMoreAsync(writer, rng.Next(30, 120), TimeSpan.FromSeconds(30));

            // All three.
            var all = names.OrderBy(_ => rng.Next()).ToList();
            await KillAsync(cluster, all[0], writer, clock);
            await AckedMoreAsync(writer, rng.Next(0, 80));
            await KillAsync(cluster, all[1], writer, clock);
            await KillAsync(cluster, all[2], writer, clock);
            await RestartAsync(cluster, [.. all.OrderBy(_ => rng.Next())], writer, clock);
            await AckedMoreAsync(writer, 50, TimeSpan.FromSeconds(30));

            await writer.StopAsync();
            Assert.Empty(writer.Errors);
            var leader = await cluster.WaitForLeaderAsync(timeout: TimeSpan.FromSeconds(30));
            var revision = await cluster.WaitConvergedAsync(timeout: TimeSpan.FromSeconds(30));
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0}s: converged at revision {revision} under {leader}");
            foreach (var node in names) output.WriteLine($"{node}: {await AckCheck.AssertAckedPresentAsync(cluster, node, writer)}");
            foreach (var node in names) output.WriteLine($"{node} data: {StorageFacts.Describe(cluster.DataDirectory(node))}");
            if (snapshots)
            {
                Assert.All(names, n => Assert.True(StorageFacts.Snapshots(cluster.DataDirectory(n)) > 0, $"{n} never took a snapshot"));
                Assert.Contains(names, n => StorageFacts.LogCompacted(cluster.DataDirectory(n)));
            }
        });
    }

    private async Task KillAsync(TestCluster cluster, string node, AckedWriter writer, Stopwatch clock)
    {
        await cluster[node].KillAsync();
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0}s: SIGKILL {node} (pid {cluster[node].Pid}) after {writer.Acked.Count} acknowledged writes");
    }

    private async Task RestartAsync(TestCluster cluster, IReadOnlyList<string> nodes, AckedWriter writer, Stopwatch clock)
    {
        foreach (var node in nodes) await cluster[node].RestartAsync();
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0}s: restarted {string.Join(", ", nodes.Select(n => $"{n} (pid {cluster[n].Pid})"))} " +
            $"with {writer.Acked.Count} acknowledged, {writer.Maybe.Count} unknown so far");
    }

    private static Task AckedMoreAsync(AckedWriter writer, int count, TimeSpan? timeout = null)
    {
        var target = writer.Acked.Count + count;
        return Poll.UntilAsync($"{target} writes acknowledged", timeout ?? TestCluster.DefaultWait,
            () => Task.FromResult((writer.Acked.Count >= target, $"{writer.Acked.Count} acknowledged, {writer.Maybe.Count} unknown")));
    }
}

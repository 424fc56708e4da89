using System.Diagnostics;
using System.Net;
using Cairn.SystemTests.Harness;

namespace Cairn.SystemTests;

/// <summary>SIGKILL of the leader under write load: quick re-election, no acknowledged write lost, the old leader catches up.</summary>
[Collection(SystemCollection.Name)]
public sealed class LeaderFailoverTests(ITestOutputHelper output)
{
    // Election timeout is TickMs × ElectionTicks … twice that = 0.5 … 1 s with the defaults; this bound is generous.
    private static readonly TimeSpan NewLeaderBound = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task KilledLeader_IsReplacedQuickly_NoAckedWriteLost_AndRestartedNodeCatchesUp()
    {
        await using var cluster = await TestCluster.StartAsync("kill-leader");
        await using var writer = new AckedWriter(cluster, cluster.Names);
        await Scenario.RunAsync(cluster, async () =>
        {
            var oldLeader = await cluster.WaitForLeaderAsync();
            var survivors = cluster.Names.Where(n => n != oldLeader).ToList();
            writer.Start();
            await Poll.UntilAsync("30 writes acknowledged before the kill", TestCluster.DefaultWait,
                () => Task.FromResult((writer.Acked.Count >= 30, $"{writer.Acked.Count} acked")));

            var clock = Stopwatch.StartNew();
            await cluster[oldLeader].KillAsync();
            var newLeader = await cluster.WaitForLeaderAsync(among: survivors, not: oldLeader);
            var elected = clock.Elapsed;
            output.WriteLine($"leader {oldLeader} killed; {newLeader} leads after {elected.TotalMilliseconds:0} ms (bound {NewLeaderBound.TotalSeconds} s)");
            Assert.True(elected < NewLeaderBound, $"a new leader took {elected.TotalMilliseconds:0} ms");

            var resumedFrom = writer.Now;
            await Poll.UntilAsync("30 writes acknowledged after the election", TestCluster.DefaultWait,
                () => Task.FromResult((writer.AckedSince(resumedFrom) >= 30, $"{writer.AckedSince(resumedFrom)} acked since")));
            await writer.StopAsync();
            output.WriteLine($"acknowledged {writer.Acked.Count}, outcome unknown {writer.Maybe.Count}");
            Assert.Empty(writer.Errors);

            foreach (var node in survivors) await AssertEveryAckedWritePresentAsync(cluster, node, writer);

            await cluster[oldLeader].RestartAsync();
            await cluster.WaitListeningAsync(oldLeader);
            var revision = await cluster.WaitConvergedAsync(timeout: TimeSpan.FromSeconds(30));
            output.WriteLine($"{oldLeader} restarted (empty, in-memory) and converged at revision {revision}");
            await cluster.WaitReadyAsync();
            await AssertEveryAckedWritePresentAsync(cluster, oldLeader, writer);
        });
    }

    private static async Task AssertEveryAckedWritePresentAsync(TestCluster cluster, string node, AckedWriter writer)
    {
        var missing = new List<string>();
        foreach (var (path, (body, _)) in writer.Acked)
        {
            var (get, _) = await Retrying.ReadAsync(cluster.Client(node), path, "linearizable", TestCluster.DefaultWait);
            using (get)
            {
                if (get.StatusCode != HttpStatusCode.OK) missing.Add($"{path}: {(int)get.StatusCode}");
                else Assert.Equal(body, await get.Content.ReadAsStringAsync());
            }
        }
        Assert.True(missing.Count == 0, $"{missing.Count} acknowledged writes missing on {node}: {string.Join(", ", missing.Take(20))}");
    }
}

using System.Net;
using Cairn.SystemTests.Harness;

namespace Cairn.SystemTests;

/// <summary>
/// Restarting nodes with the same arguments. Storage is in memory for now, so a restarted node comes back EMPTY and
/// re-bootstraps from --peers as the same voter. These tests state what a restart must guarantee; the ones tagged
/// They once failed (amnesia: a restarted node rejoined empty as a voter); fixed by durable storage and recovery-before-voting.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class RestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task KilledFollower_RestartedWithSameArgs_CatchesUp()
    {
        await using var cluster = await TestCluster.StartAsync("restart-follower");
        await Scenario.RunAsync(cluster, async () =>
        {
            var leader = await cluster.WaitForLeaderAsync();
            var follower = cluster.Names.First(n => n != leader);
            for (var i = 0; i < 5; i++)
            {
                using var put = await cluster.Client(leader).PutAsync($"v1/r/{i}", $"{{\"i\":{i}}}");
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            }
            await cluster.WaitConvergedAsync();

            await cluster[follower].KillAsync();
            await cluster[follower].RestartAsync();
            output.WriteLine($"{follower} (a follower the leader {leader} had replicated to) restarted empty");
            // Today: the leader's first heartbeat carries commit = min(match, commit) of the old incarnation, past
            // the empty log's end; the restarted node fails an invariant and exits (before: its Raft loop died silently).
            var revision = await cluster.WaitConvergedAsync(timeout: TimeSpan.FromSeconds(30));
            output.WriteLine($"converged at revision {revision}");
            var (get, _) = await Retrying.ReadAsync(cluster.Client(follower), "v1/r/4", "linearizable", TestCluster.DefaultWait);
            using (get) Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        });
    }

    [Fact]
    public async Task AcknowledgedWrite_SurvivesRestarts_WhileAMajorityIsUp()
    {
        await using var cluster = await TestCluster.StartAsync("amnesia", new ClusterSpec { Relays = true });
        await Scenario.RunAsync(cluster, async () =>
        {
            var a = await cluster.WaitForLeaderAsync();
            var others = cluster.Names.Where(n => n != a).ToList();
            var (b, c) = (others[0], others[1]);
            await cluster.WaitConvergedAsync();

            // c is cut off; the write is acknowledged by the majority {a, b}.
            cluster.Partition(c);
            using (var put = await Retrying.PutAsync(cluster.Client(a), "v1/precious/w", "{\"v\":1}", TestCluster.DefaultWait))
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);

            // Both holders crash; b restarts (empty), c comes back: {b, c} is a majority again.
            await cluster[a].KillAsync();
            await cluster[b].KillAsync();
            await cluster[b].RestartAsync();
            cluster.HealAll();
            var leader = await cluster.WaitForLeaderAsync(among: [b, c], timeout: TimeSpan.FromSeconds(30));
            output.WriteLine($"{a} and {b} crashed, {b} restarted empty; {leader} leads {b},{c}");

            // With durable state b would still hold the write (it acknowledged it). With amnesia it is gone.
            var (get, _) = await Retrying.ReadAsync(cluster.Client(leader), "v1/precious/w", "linearizable", TestCluster.DefaultWait);
            using (get)
            {
                Assert.True(get.StatusCode == HttpStatusCode.OK,
                    $"the acknowledged write is lost: {(int)get.StatusCode} from {leader} (a majority {b},{c} is up; {b} restarted without its state)");
            }
        });
    }
}

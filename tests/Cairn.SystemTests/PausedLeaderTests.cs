using System.Net;
using Cairn.SystemTests.Harness;

namespace Cairn.SystemTests;

/// <summary>
/// Faults other than a clean crash: a leader frozen by SIGSTOP (a long GC pause, a stalled VM) that resumes after the
/// others moved on, and a one-way cut where the leader can hear the others but not reach them.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class PausedLeaderTests(ITestOutputHelper output)
{
    private const int ReadsAfterResume = 30;

    [Fact]
    public async Task FrozenLeader_ThatResumes_NeverServesTheOldValue()
    {
        await using var cluster = await TestCluster.StartAsync("frozen-leader");
        await Scenario.RunAsync(cluster, async () =>
        {
            var old = await cluster.WaitForLeaderAsync();
            var others = cluster.Names.Where(n => n != old).ToList();
            using (var put = await cluster.Client(old).PutAsync("v1/x/k", "{\"v\":1}"))
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);

            cluster[old].Pause();
            var leader = await cluster.WaitForLeaderAsync(among: others, not: old);
            using (var put = await Retrying.PutAsync(cluster.Client(leader), "v1/x/k", "{\"v\":2}", TestCluster.DefaultWait))
                Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            output.WriteLine($"{old} frozen; {leader} leads and acknowledged v=2");

            // Reads start the moment the old leader resumes, before it has heard of the new term.
            var reads = Enumerable.Range(0, ReadsAfterResume).Select(async i =>
            {
                var consistency = i % 2 == 0 ? "linearizable" : "lease";
                try
                {
                    using var get = await cluster.Client(old).ReadAsync("v1/x/k", consistency, TimeSpan.FromSeconds(8));
                    return $"{consistency} {(int)get.StatusCode} {(get.StatusCode == HttpStatusCode.OK ? await get.Content.ReadAsStringAsync() : "")}";
                }
                catch (TimeoutException)
                {
                    return $"{consistency} timeout";
                }
            }).ToList();
            cluster[old].Resume();
            var answers = await Task.WhenAll(reads);
            output.WriteLine(string.Join("\n", answers.GroupBy(a => a).Select(g => $"{g.Key} ×{g.Count()}")));
            Assert.DoesNotContain(answers, a => a.EndsWith("{\"v\":1}", StringComparison.Ordinal));
            Assert.All(answers, a => Assert.True(a.EndsWith("{\"v\":2}", StringComparison.Ordinal) || a.Contains(" 503 ") || a.EndsWith("timeout"), a));

            await cluster.WaitConvergedAsync();
            using var after = await cluster.Client(old).ReadAsync("v1/x/k", "linearizable");
            Assert.Equal("{\"v\":2}", await after.Content.ReadAsStringAsync());
        });
    }

    [Fact]
    public async Task OneWayCut_LeaderCannotReachOthers_MajorityElectsAndContinues_HealConverges()
    {
        // Shorter waits for answers that cannot come (forwarded writes, read index requests over the cut link).
        var spec = new ClusterSpec { Relays = true, ExtraArgs = ["--Cairn:Cluster:ForwardTimeoutMs=2000", "--Cairn:Node:ReadTimeoutMs=2000"] };
        await using var cluster = await TestCluster.StartAsync("one-way-cut", spec);
        await Scenario.RunAsync(cluster, async () =>
        {
            var old = await cluster.WaitForLeaderAsync();
            var others = cluster.Names.Where(n => n != old).ToList();
            foreach (var o in others) cluster.Relay(old, o).Cut();

            var leader = await cluster.WaitForLeaderAsync(among: others, not: old);
            output.WriteLine($"{old} can hear but not reach the others; {leader} leads");
            for (var i = 0; i < 5; i++)
            {
                using var put = await Retrying.PutAsync(cluster.Client(others[i % 2]), $"v1/oneway/{i}", $"{{\"i\":{i}}}", TestCluster.DefaultWait);
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            }
            // The cut-off node cannot acknowledge anything: its writes and linearizable reads need the others.
            using (var put = await cluster.Client(old).PutAsync("v1/oneway/from-old", "{\"x\":1}", timeout: TimeSpan.FromSeconds(12)))
            {
                output.WriteLine($"write on {old}: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
                Assert.Equal(HttpStatusCode.ServiceUnavailable, put.StatusCode);
            }
            using (var get = await cluster.Client(old).ReadAsync("v1/oneway/0", "linearizable", TimeSpan.FromSeconds(12)))
            {
                output.WriteLine($"linearizable read on {old}: {(int)get.StatusCode} {await get.Content.ReadAsStringAsync()}");
                Assert.Equal(HttpStatusCode.ServiceUnavailable, get.StatusCode);
            }

            cluster.HealAll();
            await cluster.WaitConvergedAsync(timeout: TimeSpan.FromSeconds(30));
            var (read, retried) = await Retrying.ReadAsync(cluster.Client(old), "v1/oneway/4", "linearizable", TestCluster.DefaultWait);
            using (read)
            {
                if (retried.Count > 0) output.WriteLine($"after the heal {old} answered 503 {retried.Count}× first: {retried[0]}");
                Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            }
        });
    }
}

using System.Net;
using System.Text.Json;
using Cairn.SystemTests.Harness;

namespace Cairn.SystemTests.Durability;

/// <summary>
/// Issue 6 §5 on real processes, <c>--in-memory</c> (nothing on disk): a node that restarts empty rejoins as an
/// abstainer and catches up; if a majority of the voters restart empty at once, every node reports "data lost" in
/// /v1/_cluster, /readyz and its log, refuses reads, writes and watches with <c>urn:cairn:problem:data-lost</c> (never
/// serving its empty store as the data), and an operator's <c>POST /v1/_cluster/accept-data-loss</c> on the survivor
/// re-founds the cluster from the survivor's state.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class InMemoryLossTests(ITestOutputHelper output)
{
    private static readonly ClusterSpec InMemory = new() { ExtraArgs = ["--in-memory", "--Cairn:Cluster:RecoveryProbeIntervalMs=200"] };

    [Fact]
    public async Task OneNodeRestartedEmpty_AbstainsThenCatchesUp_WithEveryAcknowledgedWrite()
    {
        await using var cluster = await TestCluster.StartAsync("inmem-one", InMemory);
        await using var writer = new AckedWriter(cluster, cluster.Names);
        await Scenario.RunAsync(cluster, async () =>
        {
            var leader = await cluster.WaitForLeaderAsync();
            var lost = cluster.Names.First(n => n != leader);
            writer.Start();
            await Poll.UntilAsync("100 writes acknowledged", TestCluster.DefaultWait, () => Task.FromResult((writer.Acked.Count >= 100, $"{writer.Acked.Count}")));
            await cluster[lost].RestartAsync();
            var before = writer.Acked.Count;
            await Poll.UntilAsync("100 more writes acknowledged", TimeSpan.FromSeconds(30),
                () => Task.FromResult((writer.Acked.Count >= before + 100, $"{writer.Acked.Count}")));
            await writer.StopAsync();
            Assert.Empty(writer.Errors);
            var revision = await cluster.WaitConvergedAsync(timeout: TimeSpan.FromSeconds(30));
            await cluster.WaitReadyAsync();
            var log = File.ReadAllText(cluster[lost].LogPath);
            Assert.Contains("it restarted empty, so it will not vote until it has caught up", log, StringComparison.Ordinal);
            Assert.DoesNotContain("DATA LOST", log, StringComparison.Ordinal);
            output.WriteLine($"{lost} restarted empty during the load, abstained, caught up; converged at revision {revision}");
            output.WriteLine($"{lost}: {await AckCheck.AssertAckedPresentAsync(cluster, lost, writer)}");
            var view = await ViewAsync(cluster, lost);
            Assert.False(view.GetProperty("dataLost").GetBoolean());
            // It came back as a learner (the leader demoted it when it answered as recovering) and was promoted again.
            var leaderLog = string.Join('\n', cluster.Names.Where(n => n != lost).Select(n => File.ReadAllText(cluster[n].LogPath)));
            Assert.Contains($"promoted learner {lost} to voter", leaderLog, StringComparison.Ordinal);
            await Poll.UntilAsync($"{lost} a voter again", TestCluster.DefaultWait, async () =>
            {
                var v = await ViewAsync(cluster, lost);
                var role = v.GetProperty("members").EnumerateArray().First(m => m.GetProperty("name").GetString() == lost).GetProperty("role").GetString();
                return (role is "follower" or "leader", $"role {role}");
            });
        });
    }

    [Fact]
    public async Task NodeRestartedEmpty_WhileCutOff_WaitsForItsPeers_NeverStartsFresh_ThenRecovers()
    {
        // Before 2026-12-03 a probe that got no answer within three election timeouts started the node fresh: a voter
        // with an empty log beside peers holding committed data (the simulator showed entries lost that way).
        await using var cluster = await TestCluster.StartAsync("inmem-cutoff", new ClusterSpec { Relays = true, ExtraArgs = InMemory.ExtraArgs });
        await Scenario.RunAsync(cluster, async () =>
        {
            var leader = await cluster.WaitForLeaderAsync();
            var lost = cluster.Names.First(n => n != leader);
            for (var i = 0; i < 20; i++)
            {
                using var put = await Retrying.PutAsync(cluster.Client(leader), $"v1/cutoff/{i}", $"{{\"i\":{i}}}", TestCluster.DefaultWait);
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            }
            await cluster.WaitConvergedAsync();
            await cluster[lost].KillAsync();
            cluster.Partition(lost);
            await cluster[lost].RestartAsync();

            // Observed for three times the old deadline (3 election timeouts = 1.5 s by default): it keeps waiting, says why.
            await Poll.UntilAsync($"{lost} says it waits for its founding peers", TestCluster.DefaultWait, () =>
                Task.FromResult((File.ReadAllText(cluster[lost].LogPath).Split("=== pid").Last().Contains("have not answered for 1 round", StringComparison.Ordinal), "no line yet")));
            var watching = System.Diagnostics.Stopwatch.StartNew();
            var waited = await Poll.UntilAsync($"{lost} still undecided 4.5 s after its first round", TimeSpan.FromSeconds(30), async () =>
            {
                using var ready = await cluster.Client(lost).SendAsync(HttpMethod.Get, "readyz");
                var body = await ready.Content.ReadAsStringAsync();
                Assert.DoesNotContain("starting a new cluster", File.ReadAllText(cluster[lost].LogPath).Split("=== pid").Last(), StringComparison.Ordinal);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
                Assert.Contains("waiting for founding peers", body, StringComparison.Ordinal);
                return (watching.Elapsed > TimeSpan.FromSeconds(4.5), body, body);
            }, interval: TimeSpan.FromMilliseconds(200));
            output.WriteLine($"{lost} cut off and empty: {waited}");

            cluster.HealAll();
            var revision = await cluster.WaitConvergedAsync(timeout: TimeSpan.FromSeconds(30));
            await cluster.WaitReadyAsync();
            var restarted = File.ReadAllText(cluster[lost].LogPath).Split("=== pid").Last();
            Assert.Contains("it restarted empty, so it will not vote until it has caught up", restarted, StringComparison.Ordinal);
            Assert.DoesNotContain("starting a new cluster", restarted, StringComparison.Ordinal);
            using var get = await cluster.Client(lost).ReadAsync("v1/cutoff/19", "stale");
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            output.WriteLine($"healed: {lost} recovered and converged at revision {revision}");
        });
    }

    [Fact]
    public async Task MajorityRestartedEmpty_IsReportedAsDataLost_ServesNothing_UntilTheOperatorAcceptsFromTheSurvivor()
    {
        await using var cluster = await TestCluster.StartAsync("inmem-majority", InMemory);
        await using var writer = new AckedWriter(cluster, cluster.Names);
        await Scenario.RunAsync(cluster, async () =>
        {
            var leader = await cluster.WaitForLeaderAsync();
            writer.Start();
            await Poll.UntilAsync("100 writes acknowledged", TestCluster.DefaultWait, () => Task.FromResult((writer.Acked.Count >= 100, $"{writer.Acked.Count}")));
            await writer.StopAsync();
            Assert.Empty(writer.Errors);
            await cluster.WaitConvergedAsync();
            var survivor = cluster.Names.First(n => n != leader);
            var lost = cluster.Names.Where(n => n != survivor).ToList();
            foreach (var n in lost) await cluster[n].KillAsync();
            foreach (var n in lost) await cluster[n].RestartAsync();
            output.WriteLine($"{string.Join(" and ", lost)} (the leader among them) restarted empty; {survivor} kept its state");

            foreach (var n in cluster.Names)
            {
                var view = await Poll.UntilAsync($"{n} reports the data lost", TestCluster.DefaultWait, async () =>
                {
                    var v = await ViewAsync(cluster, n);
                    return (v.TryGetProperty("dataLost", out var d) && d.GetBoolean(), v, v.ToString());
                });
                var loss = view.GetProperty("dataLoss");
                Assert.Equal(lost, loss.GetProperty("lostNodes").EnumerateArray().Select(x => x.GetString()!).Order());
                Assert.Equal(survivor, loss.GetProperty("survivor").GetString());
                output.WriteLine($"{n}: {loss.GetProperty("detail").GetString()}");
                await AssertRefusedAsync(cluster, n, writer);
                Assert.Contains(File.ReadLines(cluster[n].LogPath), l => l.Contains("DATA LOST", StringComparison.Ordinal));
            }

            using (var wrong = await cluster.Client(lost[0]).SendAsync(HttpMethod.Post, "v1/_cluster/accept-data-loss"))
            {
                var problem = await wrong.ProblemAsync();
                Assert.Equal((409, "urn:cairn:problem:data-loss-refused"), (problem.Status, problem.Type));
                Assert.Contains(survivor, problem.Detail, StringComparison.Ordinal);
            }
            using (var accept = await cluster.Client(survivor).SendAsync(HttpMethod.Post, "v1/_cluster/accept-data-loss", timeout: TimeSpan.FromSeconds(30)))
            {
                var body = await accept.Content.ReadAsStringAsync();
                Assert.True(accept.StatusCode == HttpStatusCode.OK, $"accept on {survivor}: {(int)accept.StatusCode} {body}");
                output.WriteLine($"accepted on {survivor}: {body}");
            }
            await cluster.WaitForLeaderAsync();
            await cluster.WaitReadyAsync();
            var revision = await cluster.WaitConvergedAsync();
            foreach (var n in cluster.Names)
            {
                output.WriteLine($"{n}: {await AckCheck.AssertAckedPresentAsync(cluster, n, writer)}");
                Assert.False((await ViewAsync(cluster, n)).GetProperty("dataLost").GetBoolean());
            }
            using var put = await Retrying.PutAsync(cluster.Client(lost[0]), "v1/after-loss/x", "{\"ok\":true}", TestCluster.DefaultWait);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            output.WriteLine($"the cluster continues from {survivor}'s state: converged at revision {revision}, takes writes again");
        });
    }

    private static async Task AssertRefusedAsync(TestCluster cluster, string node, AckedWriter writer)
    {
        var client = cluster.Client(node);
        var any = writer.Acked.Keys.First();
        using (var ready = await client.SendAsync(HttpMethod.Get, "readyz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            using var doc = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
            Assert.Equal("data-lost", doc.RootElement.GetProperty("status").GetString());
            Assert.Contains("DATA LOST", doc.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        }
        foreach (var level in new[] { "stale", "session", "linearizable" })
        {
            using var read = await client.ReadAsync(any, level);
            await AssertDataLostAsync(read, $"{node} GET {any} ({level})");
            using var list = await client.ReadAsync($"v1/{writer.Collection}", level);
            await AssertDataLostAsync(list, $"{node} list ({level})");
        }
        using (var put = await client.PutAsync("v1/during-loss/x", "{}"))
            await AssertDataLostAsync(put, $"{node} PUT");
        using (var hash = await client.SendAsync(HttpMethod.Get, "v1/_cluster/hash"))
            await AssertDataLostAsync(hash, $"{node} state hash");
        using var watch = new HttpRequestMessage(HttpMethod.Get, "v1/_watch");
        watch.Headers.Accept.ParseAdd("text/event-stream");
        using var feed = await client.SendAsync(watch, HttpCompletionOption.ResponseHeadersRead);
        await AssertDataLostAsync(feed, $"{node} watch");
    }

    private static async Task AssertDataLostAsync(HttpResponseMessage response, string what)
    {
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var problem = await response.ProblemAsync();
        Assert.True(problem.Type == "urn:cairn:problem:data-lost", $"{what}: {problem}");
    }

    private static async Task<JsonElement> ViewAsync(TestCluster cluster, string node)
    {
        using var response = await cluster.Client(node).SendAsync(HttpMethod.Get, "v1/_cluster", timeout: TimeSpan.FromSeconds(3));
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }
}

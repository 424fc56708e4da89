using System.Net;
using Cairn.SystemTests.Harness;

namespace Cairn.SystemTests;

/// <summary>4 nodes, 2 of them SIGKILLed (the leader among them): no quorum. Stale reads still serve everything; the rest is 503.</summary>
[Collection(SystemCollection.Name)]
public sealed class MinorityTests(ITestOutputHelper output)
{
    private const int Documents = 20;

    [Fact]
    public async Task TwoOfFourDown_StaleReadsServeEveryDocument_LinearizableReadsAndWritesAnswer503WithAReason()
    {
        await using var cluster = await TestCluster.StartAsync("two-of-four-down", new ClusterSpec { Size = 4 });
        await Scenario.RunAsync(cluster, async () =>
        {
            var names = cluster.Names.ToList();
            var stored = new Dictionary<string, string>();
            for (var i = 0; i < Documents; i++)
            {
                var path = $"v1/kept/d{i}";
                var body = $"{{\"i\":{i},\"via\":\"{names[i % names.Count]}\"}}";
                using var put = await cluster.Client(names[i % names.Count]).PutAsync(path, body);
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
                stored[path] = body;
            }
            await cluster.WaitConvergedAsync();

            var leader = await cluster.WaitForLeaderAsync();
            var killed = new[] { leader, names.First(n => n != leader) };
            var survivors = names.Except(killed).ToList();
            foreach (var k in killed) await cluster[k].KillAsync();
            output.WriteLine($"killed {string.Join(", ", killed)}; survivors {string.Join(", ", survivors)}");

            // Once the survivors have noticed (no leader any more), they must say they are not ready.
            await Poll.UntilAsync("the survivors report not ready", TestCluster.DefaultWait, async () =>
            {
                var states = new List<string>();
                var allDown = true;
                foreach (var s in survivors)
                {
                    using var r = await cluster.Client(s).SendAsync(HttpMethod.Get, "readyz", timeout: TimeSpan.FromSeconds(3));
                    states.Add($"{s}: {(int)r.StatusCode} {(await cluster.Client(s).ClusterAsync())}");
                    allDown &= r.StatusCode == HttpStatusCode.ServiceUnavailable;
                }
                return (allDown, string.Join(" | ", states));
            });

            foreach (var s in survivors)
            {
                var client = cluster.Client(s);
                foreach (var (path, body) in stored)
                {
                    using var get = await client.ReadAsync(path, "stale");
                    Assert.True(get.StatusCode == HttpStatusCode.OK, $"stale GET {path} on {s}: {(int)get.StatusCode}");
                    Assert.Equal("true", get.Header("X-Cairn-Stale"));
                    Assert.Equal(body, await get.Content.ReadAsStringAsync());
                }
                using (var list = await client.ReadAsync("v1/kept", "stale"))
                {
                    Assert.Equal(HttpStatusCode.OK, list.StatusCode);
                    Assert.Equal("true", list.Header("X-Cairn-Stale"));
                }

                using (var linearizable = await client.ReadAsync("v1/kept/d0", "linearizable"))
                    await AssertUnavailableAsync(s, "linearizable read", linearizable);
                using (var write = await client.PutAsync("v1/kept/new", "{\"x\":1}"))
                    await AssertUnavailableAsync(s, "write", write);
            }
        });
    }

    private async Task AssertUnavailableAsync(string node, string what, HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var problem = await response.ProblemAsync();
        output.WriteLine($"{node} {what}: {problem.Type} reason={problem.Reason} detail=\"{problem.Detail}\"");
        Assert.Equal("urn:cairn:problem:unavailable", problem.Type);
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail));
        Assert.False(problem.MayHaveApplied ?? true);
        Assert.True(problem.Detail!.Contains("leader", StringComparison.OrdinalIgnoreCase) || problem.Detail.Contains("quorum", StringComparison.OrdinalIgnoreCase),
            $"the detail should say why: {problem.Detail}");
    }
}

using System.Net;
using System.Text.Json;
using Cairn.SystemTests.Harness;

namespace Cairn.SystemTests;

/// <summary>A healthy 3-node cluster: every node takes writes and serves linearizable reads; CAS is decided once.</summary>
[Collection(SystemCollection.Name)]
public sealed class ReplicationTests(ITestOutputHelper output)
{
    private const int CasRounds = 25;

    [Fact]
    public async Task WritesSentToEachNode_AreReadableLinearizably_FromEveryNode()
    {
        await using var cluster = await TestCluster.StartAsync("writes-everywhere");
        await Scenario.RunAsync(cluster, async () =>
        {
            var written = new Dictionary<string, string>();
            foreach (var writer in cluster.Names)
            {
                for (var i = 0; i < 5; i++)
                {
                    var path = $"v1/notes/{writer}-{i}";
                    var body = $"{{\"by\":\"{writer}\",\"i\":{i}}}";
                    using var put = await cluster.Client(writer).PutAsync(path, body);
                    Assert.True(put.StatusCode == HttpStatusCode.Created, $"PUT {path} on {writer}: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
                    written[path] = body;
                    // Linearizable: once acknowledged anywhere, every node must return it, with no waiting.
                    foreach (var reader in cluster.Names)
                    {
                        using var get = await cluster.Client(reader).ReadAsync(path, "linearizable");
                        Assert.True(get.StatusCode == HttpStatusCode.OK, $"GET {path} on {reader} right after the write on {writer}: {(int)get.StatusCode}");
                        Assert.Equal(body, await get.Content.ReadAsStringAsync());
                        Assert.Null(get.Header("X-Cairn-Stale"));
                    }
                }
            }
            foreach (var reader in cluster.Names)
            {
                using var list = await cluster.Client(reader).ReadAsync("v1/notes", "linearizable");
                using var doc = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
                Assert.Equal(written.Count, doc.RootElement.GetProperty("items").GetArrayLength());
            }
            await cluster.WaitConvergedAsync();
        });
    }

    [Fact]
    public async Task CasRace_AcrossNodes_HasExactlyOneWinnerPerRound()
    {
        await using var cluster = await TestCluster.StartAsync("cas-race");
        await Scenario.RunAsync(cluster, async () =>
        {
            var names = cluster.Names.ToList();
            using (var seed = await cluster.Client(names[0]).PutAsync("v1/counters/c", "{\"round\":0,\"by\":\"seed\"}"))
                Assert.Equal(HttpStatusCode.Created, seed.StatusCode);
            for (var round = 1; round <= CasRounds; round++)
            {
                // Every contender starts from the same ETag, read linearizably on a node of its own.
                string etag;
                using (var current = await cluster.Client(names[round % names.Count]).ReadAsync("v1/counters/c", "linearizable"))
                {
                    Assert.Equal(HttpStatusCode.OK, current.StatusCode);
                    etag = current.Headers.ETag!.Tag;
                }
                var r = round;
                var attempts = names.Select(async n =>
                {
                    using var put = await cluster.Client(n).PutAsync("v1/counters/c", $"{{\"round\":{r},\"by\":\"{n}\"}}", ifMatch: etag);
                    return (Node: n, put.StatusCode, Body: await put.Content.ReadAsStringAsync());
                });
                var results = await Task.WhenAll(attempts);
                var winners = results.Where(x => x.StatusCode.IsSuccess()).ToList();
                var describe = string.Join("; ", results.Select(x => $"{x.Node}: {(int)x.StatusCode} {x.Body}"));
                Assert.True(winners.Count == 1, $"round {round}: expected exactly one winner: {describe}");
                Assert.All(results.Where(x => !x.StatusCode.IsSuccess()), x => Assert.Equal(HttpStatusCode.PreconditionFailed, x.StatusCode));
                using var after = await cluster.Client(names[(round + 1) % names.Count]).ReadAsync("v1/counters/c", "linearizable");
                Assert.Equal($"{{\"round\":{round},\"by\":\"{winners[0].Node}\"}}", await after.Content.ReadAsStringAsync());
            }
            output.WriteLine($"{CasRounds} rounds, one winner each");
            await cluster.WaitConvergedAsync();
        });
    }
}

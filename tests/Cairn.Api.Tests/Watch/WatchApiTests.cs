using System.Net;
using System.Text;

namespace Cairn.Api.Tests.Watch;

/// <summary>GET /v1/_watch over real Kestrel: what each watcher sees under concurrent writers, per filter and transport.</summary>
public sealed class WatchApiTests
{
    private sealed record Ack(long Revision, string Type, string Target);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UnderConcurrentWriters_EachWatcherSeesExactlyTheAcknowledgedMatchingWrites_InOrder(bool webSocket)
    {
        await using var node = await TestNode.StartAsync();
        await using var onA = await WatchConnection.OpenAsync(webSocket, node.Address, "?collection=a");
        await using var onP = await WatchConnection.OpenAsync(webSocket, node.Address, "?prefix=p/");
        await using var all = await WatchConnection.OpenAsync(!webSocket, node.Address, "");
        foreach (var w in new[] { onA, onP, all }) await w.UntilAsync(m => m.Type == "start");

        var acks = new List<Ack>();
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async client =>
        {
            using var http = new HttpClient { BaseAddress = node.Address };
            var random = new Random(client);
            for (var i = 0; i < 30; i++)
            {
                var id = random.Next(8).ToString();
                var (method, path, type, target) = random.Next(5) switch
                {
                    0 => (HttpMethod.Put, $"/v1/a/{id}", "put", $"a/{id}"),
                    1 => (HttpMethod.Delete, $"/v1/a/{id}", "delete", $"a/{id}"),
                    2 => (HttpMethod.Put, $"/v1/b/{id}", "put", $"b/{id}"),
                    3 => (HttpMethod.Put, $"/v1/_kv/p/{id}", "put", $"p/{id}"),
                    _ => (HttpMethod.Put, $"/v1/_kv/q/{id}", "put", $"q/{id}"),
                };
                using var request = new HttpRequestMessage(method, path);
                if (method == HttpMethod.Put) request.Content = new StringContent($$"""{"c":{{client}},"i":{{i}}}""", Encoding.UTF8, "application/json");
                using var response = await http.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.NotFound && method == HttpMethod.Delete) continue; // not acknowledged: nothing written
                response.EnsureSuccessStatusCode();
                var revision = long.Parse(response.Headers.GetValues("X-Cairn-Revision").Single());
                lock (acks) acks.Add(new Ack(revision, type, target));
            }
        }));
        var end = await node.PutDocAsync("a", "end");
        var endKey = await node.PutKeyAsync("p/end", "x");
        acks.Add(new Ack(end, "put", "a/end"));
        acks.Add(new Ack(endKey, "put", "p/end"));

        foreach (var (watcher, matches, marker) in new (WatchConnection, Func<string, bool>, string)[]
        {
            (onA, t => t.StartsWith("a/", StringComparison.Ordinal), "a/end"),
            (onP, t => t.StartsWith("p/", StringComparison.Ordinal), "p/end"),
            (all, _ => true, "p/end"),
        })
        {
            await watcher.UntilAsync(m => m.IsChange && m.Target == marker);
            var seen = watcher.Received.Where(m => m.IsChange).Select(m => new Ack(m.Revision, m.Type, m.Target)).ToList();
            Assert.Equal(acks.Where(a => matches(a.Target)).OrderBy(a => a.Revision), seen);
        }
    }

    [Fact]
    public async Task Filters_DocumentKeyPrefixAndCollection_SeeOnlyTheirChanges()
    {
        await using var node = await TestNode.StartAsync();
        var watchers = new Dictionary<string, WatchConnection>();
        foreach (var q in new[] { "?collection=a&id=1", "?key=k1", "?prefix=k", "?collection=b", "?prefix=" })
        {
            watchers[q] = await WatchConnection.OpenAsync(q.Length % 2 == 0, node.Address, q);
            await watchers[q].UntilAsync(m => m.Type == "start");
        }
        await node.PutDocAsync("a", "1");
        await node.PutDocAsync("a", "10");
        await node.PutDocAsync("b", "1");
        await node.PutKeyAsync("k1", "v");
        await node.PutKeyAsync("k10", "v");
        await node.PutKeyAsync("x", "v");
        await node.DeleteDocAsync("a", "1");
        var last = await node.RevisionAsync();
        node.Clock.Advance(TimeSpan.FromMilliseconds(node.Feed.Options.ProgressIntervalMs));

        var expected = new Dictionary<string, string[]>
        {
            ["?collection=a&id=1"] = ["put a/1", "delete a/1"],
            ["?key=k1"] = ["put k1"],
            ["?prefix=k"] = ["put k1", "put k10"],
            ["?collection=b"] = ["put b/1"],
            ["?prefix="] = ["put k1", "put k10", "put x"],
        };
        foreach (var (q, w) in watchers)
        {
            await w.UntilRevisionAsync(last);
            Assert.Equal(expected[q], w.Received.Where(m => m.IsChange).Select(m => $"{m.Type} {m.Target}"));
            await w.DisposeAsync();
        }
    }

    [Fact]
    public async Task ExpiredKeys_ProduceExpireEvents()
    {
        await using var node = await TestNode.StartAsync();
        await using var w = await WatchConnection.OpenAsync(false, node.Address, "?prefix=ttl/");
        var put = await node.PutKeyAsync("ttl/a", "v", ttl: "1s");
        await node.PutKeyAsync("ttl/b", "v", ttl: "1h");
        node.Clock.Advance(TimeSpan.FromSeconds(2));

        var expire = (await w.UntilAsync(m => m.Type == "expire"))[^1];
        Assert.Equal("ttl/a", expire.Key);
        Assert.Equal(put, expire.Json.GetProperty("prevRevision").GetInt64());
        Assert.False(expire.Json.TryGetProperty("value", out _));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Values_AreSentOnlyOnRequest_AsJsonTextOrBase64(bool webSocket)
    {
        await using var node = await TestNode.StartAsync();
        await using var with = await WatchConnection.OpenAsync(webSocket, node.Address, "?values=true");
        await using var without = await WatchConnection.OpenAsync(webSocket, node.Address, "");
        await node.PutDocAsync("a", "1", """{"name":"é","n":[1,2]}""");
        await node.PutKeyAsync("text", "hello");
        using (var binary = await node.Http.PutAsync("/v1/_kv/bin", new ByteArrayContent([0xff, 0x00]))) binary.EnsureSuccessStatusCode();
        var last = await node.RevisionAsync();

        var changes = (await with.UntilRevisionAsync(last)).Where(m => m.IsChange).ToList();
        Assert.Equal("""{"name":"é","n":[1,2]}""", changes[0].Json.GetProperty("value").GetRawText());
        Assert.Equal("hello", changes[1].Json.GetProperty("value").GetString());
        Assert.Equal(Convert.ToBase64String([0xff, 0x00]), changes[2].Json.GetProperty("valueBase64").GetString());
        Assert.All((await without.UntilRevisionAsync(last)).Where(m => m.IsChange), m => Assert.Null(m.ValueText));
    }

    [Fact]
    public async Task Progress_TellsAnIdleWatcher_TheNodesRevision()
    {
        await using var node = await TestNode.StartAsync();
        await using var w = await WatchConnection.OpenAsync(false, node.Address, "?collection=quiet");
        await w.UntilAsync(m => m.Type == "start");
        await node.PutDocAsync("loud", "1");
        await node.PutDocAsync("loud", "2");
        node.Clock.Advance(TimeSpan.FromMilliseconds(node.Feed.Options.ProgressIntervalMs));

        var progress = (await w.UntilAsync(m => m.Type == "progress"))[^1];
        Assert.Equal(await node.RevisionAsync(), progress.Revision);
        Assert.Equal(progress.Revision, progress.ResumeId);
    }

    [Fact]
    public async Task LinearizableStart_BeginsAtTheLinearizableReadsRevision()
    {
        await using var node = await TestNode.StartAsync();
        await node.PutDocAsync("a", "1");
        var before = await node.RevisionAsync();
        await using var w = await WatchConnection.OpenAsync(true, node.Address, "?collection=a&consistency=linearizable");
        var start = (await w.UntilAsync(m => m.Type == "start"))[^1];
        Assert.Equal(before, start.Revision);
        var next = await node.PutDocAsync("a", "2");
        Assert.Equal([next], (await w.UntilRevisionAsync(next)).Where(m => m.IsChange).Select(m => m.Revision));
    }

    [Fact]
    public async Task TheOpenApiDocument_DescribesTheWatchRoute()
    {
        await using var node = await TestNode.StartAsync();
        var doc = await node.Http.GetStringAsync("/openapi/v1.json");
        Assert.Contains("\"/v1/_watch\"", doc, StringComparison.Ordinal);
        Assert.Contains("\"fromRevision\"", doc, StringComparison.Ordinal);
        Assert.Contains("text/event-stream", doc, StringComparison.Ordinal);
    }
}

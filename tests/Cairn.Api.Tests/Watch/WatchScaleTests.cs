using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Xunit.Abstractions;

namespace Cairn.Api.Tests.Watch;

/// <summary>Many watchers on one node, and a watcher that stops reading while writes go on.</summary>
public sealed class WatchScaleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AThousandWatchers_EachSeeEveryChange_WithQueuesWithinTheirBound()
    {
        const int Watchers = 1000;
        const int Writes = 20;
        await using var node = await TestNode.StartAsync();
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Watchers + 10, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { BaseAddress = node.Address, Timeout = Timeout.InfiniteTimeSpan };
        var managedBefore = GC.GetTotalMemory(forceFullCollection: true);
        var rssBefore = Process.GetCurrentProcess().WorkingSet64;

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var started = 0;
        var readers = Enumerable.Range(0, Watchers).Select(i => Task.Run(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/_watch?collection=many" + (i % 2 == 0 ? "&values=true" : ""));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop.Token);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
            var changes = new List<long>();
            while (await reader.ReadLineAsync(stop.Token) is { } line)
            {
                if (line.Contains("\"type\":\"start\"", StringComparison.Ordinal)) Interlocked.Increment(ref started);
                if (!line.StartsWith("data: {\"type\":\"put\"", StringComparison.Ordinal)) continue;
                changes.Add(WatchMsg.Parse(Encoding.UTF8.GetBytes(line[6..]), null).Revision);
                if (changes.Count == Writes) return changes;
            }
            throw new InvalidOperationException("the stream ended early");
        })).ToList();
        await ChangeFeedTests.WaitUntilAsync(() => Volatile.Read(ref started) == Watchers, "every watcher to start", 120_000);
        Assert.Equal(Watchers, node.Feed.WatcherCount);
        var managedOpen = GC.GetTotalMemory(forceFullCollection: true);
        var rssOpen = Process.GetCurrentProcess().WorkingSet64;

        var written = new List<long>();
        for (var i = 0; i < Writes; i++)
        {
            written.Add(await node.PutDocAsync("many", $"d{i}", $$"""{"i":{{i}},"pad":"{{new string('x', 200)}}"}"""));
            Assert.All(node.Feed.Watchers, w => Assert.InRange(w.Queue.Count, 0, w.Queue.Capacity));
        }
        var results = await Task.WhenAll(readers);
        Assert.All(results, r => Assert.Equal(written, r));

        output.WriteLine($"{Watchers} watchers, client and server in one process: managed heap +{(managedOpen - managedBefore) / 1024} KiB " +
            $"({(managedOpen - managedBefore) / Watchers} B per watcher incl. its HttpClient stream), working set +{(rssOpen - rssBefore) / (1024 * 1024)} MiB");
        await stop.CancelAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AWatcherThatStopsReading_DoesNotHoldUpWrites_AndResynchronizesWhenItReadsAgain(bool webSocket)
    {
        await using var node = await TestNode.StartAsync("Cairn:Watch:QueueEventsMax=16", "Cairn:Watch:HistoryEventsMax=100");
        await using var slow = await WatchConnection.OpenAsync(webSocket, node.Address, "?collection=big&values=true");
        await slow.UntilAsync(m => m.Type == "start");

        // ~24 MiB of values: far beyond what the socket buffers and Kestrel's pipe hold for a client that reads nothing.
        var value = $$"""{"pad":"{{new string('v', 48 * 1024)}}"}""";
        for (var i = 0; i < 500; i++) await node.PutDocAsync("big", $"d{i % 50}", value.Replace("\"pad\"", $"\"i\":{i},\"pad\"", StringComparison.Ordinal));
        // Every write above completed while the watcher read nothing; its queue was dropped, not grown.
        Assert.True(node.Feed.Overflows >= 1, "the slow watcher's queue overflowed");
        Assert.All(node.Feed.Watchers, w => Assert.InRange(w.Queue.Count, 0, 16));

        var last = await node.PutDocAsync("big", "last", "{}");
        await slow.UntilAsync(m => m.ResumeId >= last, 120_000);
        Assert.Single(slow.Received, m => m.Type == "overflow");
        var state = new ClientState();
        foreach (var m in slow.Received) state.Apply(m);
        Assert.Equal(await node.CollectionAsync("big"), state.Items);
        Assert.Equal(last, state.Revision);
    }
}

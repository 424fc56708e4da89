using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Cairn.Api;
using Cairn.LoadTest;
using Cairn.WatchBench;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// Change-feed delivery: N watchers on one collection, W writers putting 100-byte documents for S seconds.
// Reports events/s delivered to all watchers and write-ack-to-event latency (every watcher x every write).
//   dotnet run -c Release --project bench/Cairn.WatchBench -- --server http://127.0.0.1:7070 --watchers 100 --writers 16 --seconds 10
// Memory mode: idle watchers against a separate server process, whose resident memory is read from /proc.
//   dotnet run -c Release --project bench/Cairn.WatchBench -- --server http://127.0.0.1:7070 --server-pid 1234 --memory-watchers 1000
var options = Args.Parse(args);
WebApplication? inProcess = null;
var server = options.Server;
if (server is null)
{
    inProcess = CairnApi.BuildSingleNode(["--urls", "http://127.0.0.1:0"], b => b.Logging.ClearProviders());
    await inProcess.StartAsync();
    server = new Uri(inProcess.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
}
using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 100_000, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
using var http = new HttpClient(handler) { BaseAddress = server, Timeout = TimeSpan.FromSeconds(60) };
using var stop = new CancellationTokenSource();
try
{
    if (options.MemoryWatchers > 0) await MemoryMode.RunAsync(http, server, options, stop.Token);
    else await ThroughputAsync();
}
finally
{
    await stop.CancelAsync();
    if (inProcess is not null) await inProcess.DisposeAsync();
}

async Task ThroughputAsync()
{
    var collection = "wb" + Guid.NewGuid().ToString("N")[..8];
    var watchers = Enumerable.Range(0, options.Watchers).Select(_ => new BenchWatcher()).ToList();
    var reading = watchers.Select(w => w.RunAsync(http, server, $"?collection={collection}", options.WebSocket, stop.Token)).ToList();
    await Until(() => watchers.All(w => w.Started), "every watcher to start", reading);

    var acks = new ConcurrentDictionary<long, (long Sent, long Acked)>();
    var body = $$"""{"pad":"{{new string('x', 88)}}"}"""; // 100 bytes
    var writeUntil = Stopwatch.GetTimestamp() + (long)(options.Seconds * Stopwatch.Frequency);
    var firstSend = Stopwatch.GetTimestamp();
    await Task.WhenAll(Enumerable.Range(0, options.Writers).Select(async writer =>
    {
        for (var i = 0; Stopwatch.GetTimestamp() < writeUntil; i++)
        {
            var sent = Stopwatch.GetTimestamp();
            using var response = await http.PutAsync($"/v1/{collection}/w{writer}-{i % 1000}", new StringContent(body, Encoding.UTF8, "application/json"));
            var acked = Stopwatch.GetTimestamp();
            response.EnsureSuccessStatusCode();
            acks[long.Parse(response.Headers.GetValues("X-Cairn-Revision").Single(), CultureInfo.InvariantCulture)] = (sent, acked);
        }
    }));
    if (watchers.Count == 0)
    {
        Console.WriteLine($"no watchers (baseline): {acks.Count} writes in {options.Seconds} s ({acks.Count / options.Seconds:F0} writes/s)");
        return;
    }
    var lastWrite = acks.Keys.Max();
    await Until(() => watchers.All(w => w.LastRevision >= lastWrite), $"every watcher to receive revision {lastWrite}", reading);
    var lastReceipt = watchers.Max(w => w.Ticks[^1]);

    var ackToEvent = new LatencyHistogram();
    var sendToEvent = new LatencyHistogram();
    long beforeAck = 0, delivered = 0;
    var expected = acks.Keys.Order().ToArray();
    foreach (var w in watchers)
    {
        if (!w.Revisions.SequenceEqual(expected)) throw new InvalidOperationException("a watcher's revisions differ from the acknowledged writes");
        for (var i = 0; i < w.Count; i++)
        {
            var (sent, acked) = acks[w.Revisions[i]];
            var fromAck = Nanos(w.Ticks[i] - acked);
            if (fromAck < 0) beforeAck++;
            ackToEvent.Record(Math.Max(0, fromAck));
            sendToEvent.Record(Nanos(w.Ticks[i] - sent));
            delivered++;
        }
    }
    var seconds = (lastReceipt - firstSend) / (double)Stopwatch.Frequency;
    Console.WriteLine($"watchers {options.Watchers} ({(options.WebSocket ? "WebSocket" : "SSE")}), writers {options.Writers}, {acks.Count} writes in {options.Seconds} s " +
        $"({acks.Count / options.Seconds:F0} writes/s), server {(inProcess is null ? server : "in-process")}");
    Console.WriteLine($"delivered {delivered} events in {seconds:F2} s: {delivered / seconds:F0} events/s; every watcher got exactly the acknowledged writes, in order");
    Console.WriteLine($"write-ack -> event   p50 {Ms(ackToEvent, 50)}  p99 {Ms(ackToEvent, 99)}  p99.9 {Ms(ackToEvent, 99.9)}  max {ackToEvent.Max / 1e6:F2} ms " +
        $"({100.0 * beforeAck / delivered:F1} % of events arrived before their write's ack, counted as 0)");
    Console.WriteLine($"write-send -> event  p50 {Ms(sendToEvent, 50)}  p99 {Ms(sendToEvent, 99)}  p99.9 {Ms(sendToEvent, 99.9)}  max {sendToEvent.Max / 1e6:F2} ms");
}

static long Nanos(long ticks) => (long)(ticks * (1e9 / Stopwatch.Frequency));

static string Ms(LatencyHistogram h, double percentile) => $"{h.ValueAtPercentile(percentile) / 1e6:F2} ms";

static async Task Until(Func<bool> done, string what, IReadOnlyList<Task> readers)
{
    var deadline = Stopwatch.GetTimestamp() + 120 * Stopwatch.Frequency;
    while (!done())
    {
        if (readers.FirstOrDefault(r => r.IsFaulted) is { } failed) throw new InvalidOperationException("a watcher failed", failed.Exception);
        if (Stopwatch.GetTimestamp() > deadline) throw new TimeoutException($"gave up waiting for {what}");
        await Task.Delay(10);
    }
}

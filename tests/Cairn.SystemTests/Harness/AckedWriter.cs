using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Cairn.SystemTests.Harness;

/// <summary>
/// Background writers (one per target node) that PUT unique documents <c>v1/acks/w&lt;n&gt;</c> (or another collection) and record exactly the
/// writes that were acknowledged (2xx). A write whose outcome is unknown (503 outcome-unknown, a timeout, a broken
/// connection) is retried with the same X-Cairn-Request-Id on the next node a few times; if it never gets a 2xx it is
/// recorded as "maybe" and never counted as acknowledged.
/// </summary>
/// <remarks>Thread-safe: the writer tasks record into concurrent collections; the test reads counts from its own thread.</remarks>
public sealed class AckedWriter : IAsyncDisposable
{
    private const int AttemptsMax = 3;

    private readonly TestCluster _cluster;
    private readonly IReadOnlyList<string> _targets;
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<Task> _workers = [];
    private long _next;

    public AckedWriter(TestCluster cluster, IEnumerable<string> targets)
        : this(cluster, targets, "acks")
    {
    }

    /// <summary>Writers into <c>v1/&lt;collection&gt;/w&lt;n&gt;</c> (several writers on one cluster keep apart by collection).</summary>
    public AckedWriter(TestCluster cluster, IEnumerable<string> targets, string collection)
    {
        _cluster = cluster;
        _targets = [.. targets];
        Collection = collection;
    }

    public string Collection { get; }

    /// <summary>Acknowledged writes: path → body, with the time (since start) of the acknowledgement.</summary>
    public ConcurrentDictionary<string, (string Body, TimeSpan At)> Acked { get; } = new();

    public ConcurrentBag<string> Maybe { get; } = [];

    public ConcurrentBag<string> Errors { get; } = [];

    public TimeSpan Now => _clock.Elapsed;

    public int AckedSince(TimeSpan since) => Acked.Values.Count(v => v.At >= since);

    public void Start()
    {
        for (var i = 0; i < _targets.Count; i++)
        {
            var first = i;
            _workers.Add(Task.Run(() => WriteLoopAsync(first)));
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _stop.Dispose();
    }

    private async Task WriteLoopAsync(int target)
    {
        while (!_stop.IsCancellationRequested)
        {
            var n = Interlocked.Increment(ref _next);
            var path = $"v1/{Collection}/w{n}";
            var body = $"{{\"n\":{n}}}";
            var requestId = $"acked-writer-{Collection}-{n}";
            var acked = false;
            for (var attempt = 0; attempt < AttemptsMax && !acked && !_stop.IsCancellationRequested; attempt++)
            {
                var node = _targets[(target + attempt) % _targets.Count];
                try
                {
                    using var response = await _cluster.Client(node).PutAsync(path, body, requestId: requestId, timeout: TimeSpan.FromSeconds(12));
                    if (response.StatusCode.IsSuccess())
                    {
                        Acked[path] = (body, _clock.Elapsed);
                        acked = true;
                    }
                    else if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
                    {
                        Errors.Add($"{path} on {node}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TimeoutException or IOException)
                {
                    // Refused (a dead node) or cut off: try the next node with the same request id.
                }
                if (!acked) await Task.Delay(20, CancellationToken.None); // back off before retrying elsewhere
            }
            if (!acked) Maybe.Add(path);
        }
    }
}

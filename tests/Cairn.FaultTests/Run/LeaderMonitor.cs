using Cairn.SystemTests.Harness;

namespace Cairn.FaultTests.Run;

/// <summary>
/// Samples every running node's <c>/v1/_cluster</c> view a few times a second and remembers, per term, which node said
/// it was the leader: the run's leader changes (distinct leader terms − 1) and the freshest known leader for the
/// nemesis. Short-lived leaders between two samples can be missed, so the count is a lower bound.
/// </summary>
/// <remarks>Thread-safe: one sampling task writes under a lock; anyone reads.</remarks>
public sealed class LeaderMonitor(TestCluster cluster, RunClock clock)
{
    public static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(150);

    private readonly SortedDictionary<ulong, (string Leader, long At)> _leaders = [];
    private readonly Lock _gate = new();
    private (string Leader, ulong Term, long At)? _latest;

    /// <summary>Distinct terms in which some node reported itself leader, in term order.</summary>
    public IReadOnlyList<(ulong Term, string Leader, long At)> Terms
    {
        get
        {
            lock (_gate) return [.. _leaders.Select(p => (p.Key, p.Value.Leader, p.Value.At))];
        }
    }

    public int LeaderChanges => Math.Max(0, Terms.Count - 1);

    /// <summary>The leader of the highest term seen, if a sample saw it within <paramref name="maxAge"/>.</summary>
    public string? Leader(TimeSpan maxAge)
    {
        lock (_gate)
        {
            return _latest is { } l && RunClock.Span(l.At, clock.Now) <= maxAge.TotalMilliseconds ? l.Leader : null;
        }
    }

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await SampleAsync();
            try
            {
                await Task.Delay(SampleInterval, stop); // sampling period
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async Task SampleAsync()
    {
        var nodes = cluster.Nodes.Where(n => n.IsRunning && !n.IsPaused).Select(n => n.Name).ToList();
        await Task.WhenAll(nodes.Select(async name =>
        {
            try
            {
                var view = await cluster.Client(name).ClusterAsync(TimeSpan.FromSeconds(1));
                if (view.Role != "leader") return;
                var at = clock.Now;
                lock (_gate)
                {
                    _leaders.TryAdd(view.Term, (view.Node, at));
                    if (_latest is not { } l || view.Term >= l.Term) _latest = (view.Node, view.Term, at);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException or System.Text.Json.JsonException or TaskCanceledException)
            {
                // A dead, paused or cut-off node: nothing to learn from it in this sample.
            }
        }));
    }
}

using System.Globalization;

namespace Cairn.LoadTest;

/// <summary>
/// The live line on stderr, once a second: operations per second and latency over the last
/// second, totals and errors so far. It merges the workers' histograms while they record (a
/// slightly torn read, fine for display) and subtracts the previous merge to get the interval.
/// </summary>
public sealed class ProgressReporter : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private static readonly BenchOp[] Measured = [BenchOp.Get, BenchOp.Put, BenchOp.Post, BenchOp.Cas];

    private readonly IReadOnlyList<BenchWorker> _workers;
    private readonly TextWriter _output;
    private readonly long _start;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private LatencyHistogram _previous = new();

    public ProgressReporter(IReadOnlyList<BenchWorker> workers, TextWriter output, long start)
    {
        _workers = workers;
        _output = output;
        _start = start;
        _loop = LoopAsync();
    }

    /// <summary>Lines written so far.</summary>
    public int Lines { get; private set; }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token)) Tick();
        }
        catch (OperationCanceledException)
        {
            // Stopped with the phase.
        }
    }

    private void Tick()
    {
        var total = new LatencyHistogram();
        long errors = 0;
        foreach (var worker in _workers)
        {
            var stats = worker.Stats;
            foreach (var op in Measured) total.Add(stats.Latency(op));
            errors += stats.ErrorTotal;
        }
        var interval = total.Minus(_previous);
        _previous = total;
        var seconds = Clock.Elapsed(_start, Clock.Now).TotalSeconds;
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{seconds,5:F0}s] {interval.Count / Interval.TotalSeconds,9:F0} ops/s  p50 {Ms(interval.ValueAtPercentile(50)),8:F2} ms  p99 {Ms(interval.ValueAtPercentile(99)),8:F2} ms  | total {total.Count,10}  errors {errors}"));
        _output.Flush();
        Lines++;
    }

    private static double Ms(long nanos) => nanos / 1e6;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}

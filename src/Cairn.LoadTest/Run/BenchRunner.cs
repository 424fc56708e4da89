namespace Cairn.LoadTest;

/// <summary>
/// Runs one benchmark: preload, warm-up, the measured phase (with the progress line), then the
/// verification sweep and the history check, and returns the report.
/// </summary>
public static partial class BenchRunner
{
    /// <summary>Open loop: how long after the end late operations may still be sent before the rest count as not sent.</summary>
    public static readonly TimeSpan BacklogGraceMin = TimeSpan.FromSeconds(5);

    /// <param name="progress">Where the once-a-second line goes (stderr), or null for none.</param>
    /// <param name="checker">What judges the history with --check; null: <see cref="LinearizabilityHistoryChecker"/>.</param>
    public static async Task<BenchReport> RunAsync(BenchOptions options, TextWriter? progress = null, IHistoryChecker? checker = null,
        CancellationToken cancel = default)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors), nameof(options));
        var run = new RunContext(options, checker);
        options = run.Options;
        var seed = options.Seed ?? Environment.TickCount;
        var workers = Enumerable.Range(0, options.Connections).Select(i => new BenchWorker(run, i, seed + i * 7919, cancel)).ToArray();
        try
        {
            var preload = options.ShouldPreload ? await PreloadAsync(run, workers) : null;
            if (options.Warmup > TimeSpan.Zero && !cancel.IsCancellationRequested)
            {
                var warm = new Scheduler(Clock.Now, null, options.Warmup, null, TimeSpan.Zero, () => run.History?.IsFull ?? false, cancel);
                await Task.WhenAll(workers.Select(w => w.RunPhaseAsync(warm, new WorkerStats())));
            }

            var start = Clock.Now;
            var grace = options.RequestTimeout > BacklogGraceMin ? options.RequestTimeout : BacklogGraceMin;
            var scheduler = new Scheduler(start, options.Requests, options.Duration, options.RatePerSecond, grace,
                () => run.History?.IsFull ?? false, cancel);
            var phase = workers.Select(_ => new WorkerStats()).ToArray();
            long end;
            var reporter = progress is null ? null : new ProgressReporter(workers, progress, start);
            try
            {
                await Task.WhenAll(workers.Select((w, i) => w.RunPhaseAsync(scheduler, phase[i])));
                end = Clock.Now;
            }
            finally
            {
                if (reporter is not null) await reporter.DisposeAsync();
            }

            var measured = Merge(phase);
            var historyFull = run.History?.IsFull ?? false;
            var verify = run.Tracker is null ? null : await VerifyAsync(run, workers, measured, cancel);
            var check = run.History is null ? null : Check(run, historyFull, cancel);
            return Build(run, measured, start, end, scheduler.NotSent(end), preload, verify, check, cancel.IsCancellationRequested);
        }
        finally
        {
            foreach (var w in workers) w.Dispose();
        }
    }

    private static async Task<PhaseReport> PreloadAsync(RunContext run, BenchWorker[] workers)
    {
        var next = -1;
        var count = run.Options.KeyCount;
        int NextKey()
        {
            var key = Interlocked.Increment(ref next);
            return key < count ? key : -1;
        }
        var started = Clock.Now;
        var stats = workers.Select(_ => new WorkerStats()).ToArray();
        await Task.WhenAll(workers.Select((w, i) => w.PreloadAsync(NextKey, stats[i])));
        var merged = Merge(stats);
        return new PhaseReport(merged.Latency(BenchOp.Put).Count, merged.ErrorTotal, Clock.Elapsed(started, Clock.Now).TotalSeconds,
            Sorted(merged.ErrorKinds));
    }

    private static async Task<VerifyReport> VerifyAsync(RunContext run, BenchWorker[] workers, WorkerStats measured, CancellationToken cancel)
    {
        var sweep = !cancel.IsCancellationRequested;
        if (sweep)
        {
            var next = -1;
            var count = run.Options.KeyCount;
            int NextKey()
            {
                var key = Interlocked.Increment(ref next);
                return key < count ? key : -1;
            }
            var stats = workers.Select(_ => new WorkerStats()).ToArray();
            await Task.WhenAll(workers.Select((w, i) => w.FinalSweepAsync(NextKey, stats[i])));
            // Sweep reads count as verify reads in the report.
            foreach (var s in stats) measured.Add(s);
        }
        var tracker = run.Tracker!;
        return new VerifyReport(tracker.Checked, tracker.Mismatches, tracker.Unverifiable, sweep, tracker.Examples);
    }

    private static CheckReport Check(RunContext run, bool truncated, CancellationToken cancel)
    {
        var history = run.History!.Snapshot();
        var path = run.Options.HistoryPath;
        if (path is not null) HistoryFile.Write(path, history);
        if (!run.Options.Check) return new CheckReport(history.Count, 0, 0, false, truncated, "history recorded, not checked", path);
        // A run stopped by Ctrl+C is still checked: its history is complete up to the stop (what was
        // in flight is Unknown). A stop that arrives during the check ends the check instead.
        var result = run.Checker.Check(history, cancel.IsCancellationRequested ? CancellationToken.None : cancel);
        var description = truncated
            ? $"{result.Description} (the history reached {BenchOptions.CheckOperationsMax} operations and the run stopped there)"
            : result.Description;
        return new CheckReport(result.Operations, result.Anomalies, result.Inconclusive, true, truncated, description, path);
    }

    private static WorkerStats Merge(IEnumerable<WorkerStats> stats)
    {
        var total = new WorkerStats();
        foreach (var s in stats) total.Add(s);
        return total;
    }

    internal static SortedDictionary<string, long> Sorted(Dictionary<string, long> kinds) => new(kinds, StringComparer.Ordinal);
}

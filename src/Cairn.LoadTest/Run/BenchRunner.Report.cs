namespace Cairn.LoadTest;

/// <summary>Turning the merged counters into the report.</summary>
public static partial class BenchRunner
{
    private static readonly BenchOp[] MeasuredOps = [BenchOp.Get, BenchOp.Put, BenchOp.Post, BenchOp.Cas];

    private static BenchReport Build(RunContext run, WorkerStats stats, long start, long end, long notSent, PhaseReport? preload,
        VerifyReport? verify, CheckReport? check, bool cancelled)
    {
        var options = run.Options;
        var all = new LatencyHistogram();
        foreach (var op in MeasuredOps) all.Add(stats.Latency(op));
        var elapsed = Clock.Elapsed(start, end).TotalSeconds;
        var byOperation = Enum.GetValues<BenchOp>()
            .Where(op => stats.Latency(op).Count > 0)
            .Select(op => new OperationReport(Name(op), stats.Latency(op).Count, stats.Errors(op), LatencySummary.From(stats.Latency(op))))
            .ToList();
        var measuredErrors = MeasuredOps.Sum(stats.Errors);
        var errorKinds = Sorted(stats.ErrorKinds);
        if (notSent > 0) errorKinds["not sent: behind schedule"] = notSent;
        return new BenchReport
        {
            RunId = run.RunId,
            Workload = options.Workload.ToString().ToLowerInvariant(),
            Target = options.Target == KeyTarget.Documents ? "documents/" + options.Collection : "kv",
            KeyPrefix = options.KeyPrefix,
            Keys = options.KeyCount,
            Distribution = options.Distribution == KeyDistribution.Zipfian ? $"zipfian({options.ZipfTheta})" : "uniform",
            ValueBytes = options.ValueBytes,
            ReadRatio = options.Workload == Workload.Mixed ? options.ReadRatio : null,
            Consistency = options.Consistency,
            Servers = options.Servers.Select(s => s.ToString()).ToList(),
            Connections = options.Connections,
            Loop = options.OpenLoop ? "open" : "closed",
            RatePerSecond = options.RatePerSecond,
            Requests = options.Requests,
            DurationSeconds = options.Duration?.TotalSeconds,
            LatencyMeasuredFrom = options.OpenLoop ? "intended send time" : "send time",
            ElapsedSeconds = Math.Round(elapsed, 3),
            Operations = all.Count,
            ThroughputPerSecond = elapsed > 0 ? Math.Round(all.Count / elapsed, 1) : 0,
            Errors = measuredErrors + notSent,
            ErrorsByKind = errorKinds,
            NotSent = notSent,
            Latency = LatencySummary.From(all),
            ByOperation = byOperation,
            CasRetries = stats.CasRetries,
            CasGaveUp = stats.CasGaveUp,
            Preload = preload,
            Verify = verify,
            Check = check,
            Cancelled = cancelled,
        };
    }

    internal static string Name(BenchOp op) => op switch
    {
        BenchOp.VerifyGet => "verify-get",
        _ => op.ToString().ToLowerInvariant(),
    };
}

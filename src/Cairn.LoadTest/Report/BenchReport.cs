namespace Cairn.LoadTest;

/// <summary>Latency percentiles in milliseconds, read from a <see cref="LatencyHistogram"/> of nanoseconds.</summary>
public sealed record LatencySummary(long Count, double MeanMs, double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs)
{
    public static LatencySummary From(LatencyHistogram h) => new(
        h.Count, Ms(h.Mean), Ms(h.ValueAtPercentile(50)), Ms(h.ValueAtPercentile(90)), Ms(h.ValueAtPercentile(99)),
        Ms(h.ValueAtPercentile(99.9)), Ms(h.Max));

    private static double Ms(double nanos) => Math.Round(nanos / 1e6, 3);
}

/// <summary>One kind of request: how many, how many failed, and their latency.</summary>
public sealed record OperationReport(string Operation, long Count, long Errors, LatencySummary Latency);

/// <summary>The preload (or any unmeasured) phase in brief.</summary>
public sealed record PhaseReport(long Operations, long Errors, double Seconds, IReadOnlyDictionary<string, long> ErrorsByKind);

/// <summary>--verify's findings.</summary>
/// <param name="ReadsCompared">Reads of a key compared with an acknowledged write (right after it, and at the end).</param>
/// <param name="Unverifiable">Keys the final sweep could not judge: a write with an unknown outcome, or a failed read.</param>
/// <param name="FinalSweep">Whether every key was read once more after the run (skipped when cancelled).</param>
public sealed record VerifyReport(long ReadsCompared, long Mismatches, long Unverifiable, bool FinalSweep, IReadOnlyList<VerifyMismatch> Examples)
{
    public bool Passed => Mismatches == 0;
}

/// <summary>--check's findings.</summary>
/// <param name="Checked">False when the history was only recorded (--history without --check).</param>
/// <param name="Inconclusive">Keys the checker left undecided (see <see cref="HistoryCheckResult.Inconclusive"/>).</param>
/// <param name="Truncated">The run stopped early because the history reached <see cref="BenchOptions.CheckOperationsMax"/>.</param>
public sealed record CheckReport(int Operations, int Anomalies, int Inconclusive, bool Checked, bool Truncated, string Description, string? HistoryPath)
{
    public bool Passed => Checked && Anomalies == 0 && Inconclusive == 0 && !Truncated;
}

/// <summary>Everything a run measured: printed as text, or as JSON with --json.</summary>
public sealed record BenchReport
{
    public required string RunId { get; init; }
    public required string Workload { get; init; }
    public required string Target { get; init; }
    public required string KeyPrefix { get; init; }
    public required int Keys { get; init; }
    public required string Distribution { get; init; }
    public required int ValueBytes { get; init; }
    public double? ReadRatio { get; init; }
    public string? Consistency { get; init; }
    public required IReadOnlyList<string> Servers { get; init; }
    public required int Connections { get; init; }

    /// <summary>"closed" (next request when the answer arrives) or "open" (a fixed schedule).</summary>
    public required string Loop { get; init; }

    public double? RatePerSecond { get; init; }
    public long? Requests { get; init; }
    public double? DurationSeconds { get; init; }

    /// <summary>"send" (closed loop) or "intended send" (open loop: coordinated omission corrected).</summary>
    public required string LatencyMeasuredFrom { get; init; }

    public required double ElapsedSeconds { get; init; }
    public required long Operations { get; init; }
    public required double ThroughputPerSecond { get; init; }
    public required long Errors { get; init; }
    public required IReadOnlyDictionary<string, long> ErrorsByKind { get; init; }

    /// <summary>Open loop: operations due before the end that were never sent because the server fell too far behind.</summary>
    public long NotSent { get; init; }

    public required LatencySummary Latency { get; init; }
    public required IReadOnlyList<OperationReport> ByOperation { get; init; }
    public long CasRetries { get; init; }
    public long CasGaveUp { get; init; }
    public PhaseReport? Preload { get; init; }
    public VerifyReport? Verify { get; init; }
    public CheckReport? Check { get; init; }
    public bool Cancelled { get; init; }

    /// <summary>The histogram's stated precision: every percentile is within this fraction of a recorded value.</summary>
    public double HistogramRelativeErrorMax { get; init; } = LatencyHistogram.RelativeErrorMax;

    /// <summary>False when --verify found a mismatch or --check an anomaly (the command then exits with 3).</summary>
    public bool Passed => (Verify?.Passed ?? true) && (Check is null || Check.Passed || !Check.Checked);
}

namespace Cairn.LoadTest;

/// <summary>The kinds of request a run measures separately.</summary>
public enum BenchOp
{
    Get,
    Put,
    Post,
    Cas,

    /// <summary>A read-back of an acknowledged write (--verify): reported, never in the throughput.</summary>
    VerifyGet,
}

/// <summary>
/// One worker's counters for one phase. Written only by its worker, so recording is plain
/// arithmetic; the progress line reads them from another thread (torn but harmless), the report
/// merges them after the workers have stopped.
/// </summary>
public sealed class WorkerStats
{
    public static readonly int OpCount = Enum.GetValues<BenchOp>().Length;

    /// <summary>Never recorded into: what <see cref="Latency"/> returns for a kind this worker never ran.</summary>
    private static readonly LatencyHistogram Empty = new();

    // Created on first use: a histogram is 34 KB, most workloads use one or two kinds, and a run
    // may have a thousand workers.
    private readonly LatencyHistogram?[] _latency = new LatencyHistogram?[OpCount];
    private readonly long[] _errors = new long[OpCount];
    private long _errorTotal;

    /// <summary>Errors by kind ("404 not-found", "timeout"); touched only on the error path.</summary>
    public Dictionary<string, long> ErrorKinds { get; } = new(StringComparer.Ordinal);

    public long CasRetries { get; set; }
    public long CasGaveUp { get; set; }

    public LatencyHistogram Latency(BenchOp op) => Volatile.Read(ref _latency[(int)op]) ?? Empty;

    public long Errors(BenchOp op) => Volatile.Read(ref _errors[(int)op]);

    public long ErrorTotal => Volatile.Read(ref _errorTotal);

    public void Record(BenchOp op, long nanos) => Histogram(op).Record(Math.Max(0, nanos));

    public void Error(BenchOp op, string kind)
    {
        _errors[(int)op]++;
        _errorTotal++;
        CountKind(kind);
    }

    /// <summary>Adds another worker's counters (after both stopped).</summary>
    public void Add(WorkerStats other)
    {
        for (var i = 0; i < OpCount; i++)
        {
            if (other._latency[i] is { } theirs) Histogram((BenchOp)i).Add(theirs);
            _errors[i] += other._errors[i];
        }
        _errorTotal += other._errorTotal;
        foreach (var (kind, count) in other.ErrorKinds) ErrorKinds[kind] = ErrorKinds.GetValueOrDefault(kind) + count;
        CasRetries += other.CasRetries;
        CasGaveUp += other.CasGaveUp;
    }

    private LatencyHistogram Histogram(BenchOp op)
    {
        var h = _latency[(int)op];
        if (h is null) Volatile.Write(ref _latency[(int)op], h = new LatencyHistogram());
        return h;
    }

    private void CountKind(string kind) => ErrorKinds[kind] = ErrorKinds.GetValueOrDefault(kind) + 1;
}

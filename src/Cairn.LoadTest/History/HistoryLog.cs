namespace Cairn.LoadTest;

/// <summary>
/// The recorded history of a run (--check). Each worker appends to its own list (one operation
/// in flight per worker, so no lock on the hot path); a shared counter bounds the total, and the
/// run stops issuing operations once it is reached.
/// </summary>
public sealed class HistoryLog
{
    private readonly List<HistoryEntry>[] _perWorker;
    private readonly int _max;
    private long _count;

    public HistoryLog(int workers, int operationsMax)
    {
        Invariant.Check(workers > 0 && operationsMax > 0);
        _perWorker = Enumerable.Range(0, workers).Select(_ => new List<HistoryEntry>()).ToArray();
        _max = operationsMax;
    }

    public long Count => Volatile.Read(ref _count);

    /// <summary>True once the bound is reached: the scheduler then ends the phase.</summary>
    public bool IsFull => Count >= _max;

    /// <summary>Appends a completed (or abandoned) operation. Called by worker <paramref name="worker"/> only.</summary>
    public void Add(int worker, HistoryEntry entry)
    {
        Interlocked.Increment(ref _count);
        _perWorker[worker].Add(entry);
    }

    /// <summary>Every operation, ordered by invocation time. Call after the workers stopped.</summary>
    public IReadOnlyList<HistoryEntry> Snapshot()
    {
        var all = _perWorker.SelectMany(l => l).ToList();
        all.Sort((a, b) => a.Invoke.CompareTo(b.Invoke));
        return all;
    }
}

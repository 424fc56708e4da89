namespace Cairn.Consensus;

/// <summary>
/// The last entry index of each unacknowledged AppendEntries sent to one follower, oldest first, in a fixed ring:
/// the bound on pipelined messages per follower.
/// </summary>
internal sealed class Inflights(int capacity)
{
    private readonly LogIndex[] _ring = new LogIndex[capacity];
    private int _start;

    public int Count { get; private set; }

    public bool Full => Count == _ring.Length;

    public void Add(LogIndex lastIndex)
    {
        Invariant.Check(!Full, "inflight window overflow");
        if (Count > 0) Invariant.Check(lastIndex >= _ring[(_start + Count - 1) % _ring.Length], "inflight indexes ascend");
        _ring[(_start + Count) % _ring.Length] = lastIndex;
        Count++;
    }

    /// <summary>Frees every message whose last index is ≤ <paramref name="index"/> (acknowledged).</summary>
    public void FreeUpTo(LogIndex index)
    {
        while (Count > 0 && _ring[_start] <= index)
        {
            _start = (_start + 1) % _ring.Length;
            Count--;
        }
    }

    /// <summary>Frees the oldest message (presumed lost) so one more append can go out.</summary>
    public void FreeFirst()
    {
        if (Count == 0) return;
        _start = (_start + 1) % _ring.Length;
        Count--;
    }

    public void Reset()
    {
        _start = 0;
        Count = 0;
    }
}

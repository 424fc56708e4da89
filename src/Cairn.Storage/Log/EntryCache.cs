using Cairn.Consensus;

namespace Cairn.Storage.Log;

/// <summary>
/// The most recent entries of the log, a contiguous run [First, First + Count) ending at the log's last index,
/// at most <c>bytesMax</c> bytes by <see cref="Entry.SizeBytes"/> (oldest evicted first). A ring buffer, so adding,
/// evicting and dropping a suffix are O(1) per entry. Not thread-safe (driver thread only).
/// </summary>
internal sealed class EntryCache(long bytesMax)
{
    private Entry[] _ring = new Entry[64];
    private int _head;

    public int Count { get; private set; }

    public long Bytes { get; private set; }

    /// <summary>Index of the oldest cached entry (the next index to add when empty).</summary>
    public ulong First { get; private set; } = 1;

    public bool TryGet(ulong index, out Entry entry)
    {
        if (index < First || index >= First + (ulong)Count)
        {
            entry = null!;
            return false;
        }
        entry = _ring[(_head + (int)(index - First)) % _ring.Length];
        return true;
    }

    /// <summary>Appends the entry after the last one; entries must arrive in index order.</summary>
    public void Add(Entry entry)
    {
        Invariant.Check(entry.Index.Value == First + (ulong)Count, "cached entries are contiguous");
        if (Count == _ring.Length) Grow();
        _ring[(_head + Count) % _ring.Length] = entry;
        Count++;
        Bytes += entry.SizeBytes;
        while (Count > 0 && Bytes > bytesMax) RemoveFirst();
    }

    /// <summary>Drops entries at and after <paramref name="index"/> (a truncated suffix).</summary>
    public void TruncateFrom(ulong index)
    {
        while (Count > 0 && First + (ulong)Count - 1 >= index)
        {
            var slot = (_head + Count - 1) % _ring.Length;
            Bytes -= _ring[slot].SizeBytes;
            _ring[slot] = null!;
            Count--;
        }
        if (Count == 0) First = Math.Min(First, index);
    }

    /// <summary>Drops entries up to and including <paramref name="index"/> (compaction).</summary>
    public void DropThrough(ulong index)
    {
        while (Count > 0 && First <= index) RemoveFirst();
        if (Count == 0) First = Math.Max(First, index + 1);
    }

    /// <summary>Empties the cache; the next entry added will be <paramref name="nextIndex"/>.</summary>
    public void Reset(ulong nextIndex)
    {
        Array.Clear(_ring);
        _head = 0;
        Count = 0;
        Bytes = 0;
        First = nextIndex;
    }

    private void RemoveFirst()
    {
        Bytes -= _ring[_head].SizeBytes;
        _ring[_head] = null!;
        _head = (_head + 1) % _ring.Length;
        Count--;
        First++;
    }

    private void Grow()
    {
        var bigger = new Entry[_ring.Length * 2];
        for (var i = 0; i < Count; i++) bigger[i] = _ring[(_head + i) % _ring.Length];
        _ring = bigger;
        _head = 0;
    }
}

namespace Cairn.Store.History;

/// <summary>
/// The recent change events, bounded by count and bytes, oldest dropped first. Appended by the apply
/// thread, read by watchers on any thread (under a lock held only for copying).
/// </summary>
/// <remarks>
/// Eviction removes whole revisions: a reader resuming after revision R either gets every event of every
/// later revision or is told the history no longer reaches back to R, never half of a txn's events.
/// </remarks>
internal sealed class ChangeHistory(int eventsMax, long bytesMax, long startRevision)
{
    private readonly Lock _lock = new();
    private ChangeEvent[] _ring = new ChangeEvent[Math.Clamp(eventsMax, 1, 1024)];
    private int _head; // index of the oldest event
    private int _count;
    private long _bytes;
    /// <summary>Every event with a revision above this one is retained.</summary>
    private long _complete = startRevision;

    public long OldestRetainedRevision
    {
        get
        {
            lock (_lock) return _complete;
        }
    }

    public void Append(List<ChangeEvent> events)
    {
        if (events.Count == 0) return;
        lock (_lock)
        {
            foreach (var e in events)
            {
                Invariant.Check(_count == 0 || e.Revision >= At(_count - 1).Revision, "history in revision order");
                if (_count == _ring.Length) Grow();
                _ring[(_head + _count) % _ring.Length] = e;
                _count++;
                _bytes += e.RetainedBytes;
            }
            // Bounded: each pass drops at least one event.
            while (_count > 0 && (_count > eventsMax || _bytes > bytesMax)) DropOldestRevision();
        }
    }

    /// <summary>Forgets everything: after a snapshot install the history restarts at its revision.</summary>
    public void Reset(long revision)
    {
        lock (_lock)
        {
            Array.Clear(_ring);
            (_head, _count, _bytes, _complete) = (0, 0, 0, revision);
        }
    }

    /// <summary>
    /// Events with a revision above <paramref name="revision"/>, whole revisions only, at least one revision even when
    /// it alone has more than <paramref name="max"/> events. False when events after it were already dropped.
    /// </summary>
    public bool TryGetEventsAfter(long revision, int max, out IReadOnlyList<ChangeEvent> events)
    {
        lock (_lock)
        {
            if (revision < _complete)
            {
                events = [];
                return false;
            }
            var i = FirstAfter(revision);
            var result = new List<ChangeEvent>(Math.Clamp(Math.Min(max, _count - i), 0, 1024));
            while (i < _count)
            {
                var r = At(i).Revision;
                var end = i;
                while (end < _count && At(end).Revision == r) end++;
                if (result.Count > 0 && result.Count + (end - i) > max) break;
                for (; i < end; i++) result.Add(At(i));
                if (result.Count >= max) break;
            }
            events = result;
            return true;
        }
    }

    private ChangeEvent At(int i) => _ring[(_head + i) % _ring.Length];

    /// <summary>Index of the first retained event with a revision above the given one (binary search).</summary>
    private int FirstAfter(long revision)
    {
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (At(mid).Revision <= revision) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private void DropOldestRevision()
    {
        var r = At(0).Revision;
        while (_count > 0 && At(0).Revision == r)
        {
            _bytes -= At(0).RetainedBytes;
            _ring[_head] = null!;
            _head = (_head + 1) % _ring.Length;
            _count--;
        }
        _complete = Math.Max(_complete, r);
    }

    private void Grow()
    {
        // Grows past eventsMax only transiently, by one txn's events, before they are trimmed.
        var next = new ChangeEvent[_ring.Length * 2];
        for (var i = 0; i < _count; i++) next[i] = At(i);
        _ring = next;
        _head = 0;
    }
}

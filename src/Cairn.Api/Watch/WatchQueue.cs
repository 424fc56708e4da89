using Cairn.Store;

namespace Cairn.Api.Watch;

/// <summary>Why a watcher must resynchronize from its last delivered revision instead of reading its queue.</summary>
public enum ResyncReason
{
    None = 0,
    /// <summary>More than <see cref="WatchOptions.QueueEventsMax"/> events waited: the queue was dropped.</summary>
    Overflow = 1,
    /// <summary>The node replaced its whole state with a snapshot; the history restarted there.</summary>
    SnapshotInstalled = 2,
}

/// <summary>
/// One watcher's bounded queue of matching change events, filled by the apply thread and drained by the watcher's
/// sender. Offering never waits: when a revision's events do not fit, the queue is emptied and marked for resync, and
/// nothing more is queued until the sender calls <see cref="Reset"/>.
/// </summary>
/// <remarks>
/// Invariants: the queue holds whole revisions in increasing order (a revision's events are offered together or not
/// at all); its length never exceeds the capacity. Threading: one producer (the apply thread, or the progress timer
/// for <see cref="SignalProgress"/>), one consumer; every member takes the same short lock. A waiting consumer is woken
/// through a task whose continuations never run on the producer's thread.
/// </remarks>
internal sealed class WatchQueue(int capacity)
{
    private readonly Lock _lock = new();
    private readonly Queue<ChangeEvent> _items = new();
    private ResyncReason _resync;
    private bool _progressDue;
    private bool _closed;
    private TaskCompletionSource? _waiter;

    public int Capacity { get; } = capacity;

    /// <summary>Events waiting now (for tests and statistics).</summary>
    public int Count
    {
        get
        {
            lock (_lock) return _items.Count;
        }
    }

    /// <summary>Queues one revision that has a single matching event. True when this offer overflowed the queue.</summary>
    public bool Offer(ChangeEvent e)
    {
        TaskCompletionSource? wake;
        bool overflowed;
        lock (_lock)
        {
            if (_resync != ResyncReason.None || _closed) return false;
            overflowed = _items.Count + 1 > Capacity;
            if (overflowed) Overflow();
            else _items.Enqueue(e);
            wake = TakeWaiter();
        }
        wake?.TrySetResult();
        return overflowed;
    }

    /// <summary>Queues one revision's matching events, all of them or (overflow) none. True when this offer overflowed the queue.</summary>
    public bool Offer(List<ChangeEvent> revision)
    {
        TaskCompletionSource? wake;
        bool overflowed;
        lock (_lock)
        {
            if (_resync != ResyncReason.None || _closed) return false;
            overflowed = _items.Count + revision.Count > Capacity;
            if (overflowed) Overflow();
            else foreach (var e in revision) _items.Enqueue(e);
            wake = TakeWaiter();
        }
        wake?.TrySetResult();
        return overflowed;
    }

    public void RequestResync(ResyncReason reason)
    {
        TaskCompletionSource? wake;
        lock (_lock)
        {
            _items.Clear();
            if (_resync == ResyncReason.None) _resync = reason;
            wake = TakeWaiter();
        }
        wake?.TrySetResult();
    }

    /// <summary>Asks the consumer to send a progress message once it has drained what is queued.</summary>
    public void SignalProgress()
    {
        TaskCompletionSource? wake;
        lock (_lock)
        {
            _progressDue = true;
            wake = TakeWaiter();
        }
        wake?.TrySetResult();
    }

    /// <summary>Wakes the consumer for good (its connection ends); nothing is queued afterwards.</summary>
    public void Close()
    {
        TaskCompletionSource? wake;
        lock (_lock)
        {
            _closed = true;
            _items.Clear();
            wake = TakeWaiter();
        }
        wake?.TrySetResult();
    }

    /// <summary>Empties the queue and clears a pending resync: from now on every offered revision is queued again.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _items.Clear();
            _resync = ResyncReason.None;
        }
    }

    /// <summary>True once <see cref="Close"/> was called: the session ends.</summary>
    public bool IsClosed
    {
        get
        {
            lock (_lock) return _closed;
        }
    }

    /// <summary>True while a resync is pending (the consumer checks it after a catch-up pass).</summary>
    public bool ResyncPending
    {
        get
        {
            lock (_lock) return _resync != ResyncReason.None;
        }
    }

    /// <summary>
    /// Moves up to about <paramref name="max"/> events into <paramref name="into"/>, never splitting a revision.
    /// A pending resync is reported instead of events. The progress flag is reported and cleared only when the queue
    /// is empty, so a progress message always follows every event queued before it.
    /// </summary>
    public ResyncReason TryTake(List<ChangeEvent> into, int max, out bool progressDue)
    {
        lock (_lock)
        {
            progressDue = false;
            if (_resync != ResyncReason.None) return _resync;
            while (_items.Count > 0 && (into.Count < max || _items.Peek().Revision == into[^1].Revision))
                into.Add(_items.Dequeue());
            if (_items.Count == 0 && _progressDue)
            {
                progressDue = true;
                _progressDue = false;
            }
            return ResyncReason.None;
        }
    }

    /// <summary>Completes when there is something to take, a resync or progress is due, or the queue was closed.</summary>
    public Task WaitAsync()
    {
        lock (_lock)
        {
            if (_items.Count > 0 || _resync != ResyncReason.None || _progressDue || _closed) return Task.CompletedTask;
            _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _waiter.Task;
        }
    }

    private void Overflow()
    {
        _items.Clear();
        _resync = ResyncReason.Overflow;
    }

    private TaskCompletionSource? TakeWaiter()
    {
        var w = _waiter;
        _waiter = null;
        return w;
    }
}

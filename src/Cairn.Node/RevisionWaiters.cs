namespace Cairn.Node;

/// <summary>
/// Lets readers wait until the applied revision reaches a target (session reads, and later
/// ReadIndex waits). The apply thread calls <see cref="Advance"/> after each batch; waiters
/// complete off the apply thread (continuations run asynchronously).
/// </summary>
/// <remarks>Thread-safe. Waiters are bounded by <see cref="WaitersMax"/>; the caller maps
/// <see cref="TryWaitAsync"/> returning null to an overload answer.</remarks>
public sealed class RevisionWaiters(int waitersMax)
{
    private readonly Lock _gate = new();
    private readonly PriorityQueue<TaskCompletionSource, long> _waiting = new();
    private long _applied;

    public int WaitersMax { get; } = waitersMax;

    public long Applied => Volatile.Read(ref _applied);

    /// <summary>Null when too many waiters are queued; otherwise a task that completes once applied ≥ revision.</summary>
    public Task? TryWaitAsync(long revision)
    {
        if (revision <= Applied) return Task.CompletedTask;
        lock (_gate)
        {
            if (revision <= _applied) return Task.CompletedTask;
            if (_waiting.Count >= WaitersMax) return null;
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Enqueue(tcs, revision);
            return tcs.Task;
        }
    }

    /// <summary>Called by the apply thread only; revisions never go backwards.</summary>
    public void Advance(long applied)
    {
        lock (_gate)
        {
            Invariant.Check(applied >= _applied, "applied revision went backwards");
            Volatile.Write(ref _applied, applied);
            while (_waiting.TryPeek(out var tcs, out var revision) && revision <= applied)
            {
                _waiting.Dequeue();
                tcs.TrySetResult();
            }
        }
    }

    /// <summary>Fails every waiter (shutdown).</summary>
    public void FailAll(Exception error)
    {
        lock (_gate)
        {
            while (_waiting.TryDequeue(out var tcs, out _)) tcs.TrySetException(error);
        }
    }
}

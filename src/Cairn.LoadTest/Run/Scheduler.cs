namespace Cairn.LoadTest;

/// <summary>
/// Hands out the operations of one phase to the workers. Closed loop: the next operation starts
/// when a worker is free, until the count or the deadline is reached. Open loop: operation i is
/// due at <c>start + i / rate</c>; a worker takes the next due slot, waits for it if it is early,
/// and sends at once if it is late. Latency is measured from the due time, so a stalled server
/// makes every slot that came due during the stall late, and each of them shows it
/// (coordinated omission corrected, the way wrk2 does it).
/// </summary>
/// <remarks>Thread-safe: workers call <see cref="NextAsync"/> concurrently.</remarks>
public sealed class Scheduler
{
    /// <summary>Slots due less than this ahead are sent at once: timer resolution is about a millisecond.</summary>
    public static readonly TimeSpan EarlySendMax = TimeSpan.FromMilliseconds(1);

    private readonly long _start;
    private readonly long? _count;
    private readonly long _deadline;
    private readonly long _backlogDeadline;
    private readonly double _ticksPerSlot;
    private readonly Func<bool> _stop;
    private readonly CancellationToken _cancel;
    private long _taken;
    private long _sent;

    /// <param name="stop">Checked before each slot: true ends the phase early (a full history).</param>
    public Scheduler(long start, long? count, TimeSpan? duration, double? ratePerSecond, TimeSpan backlogGrace, Func<bool> stop, CancellationToken cancel)
    {
        Invariant.Check(count is not null || duration is not null, "a phase is bounded");
        _start = start;
        _count = count;
        _deadline = duration is { } d ? start + Clock.FromSeconds(d.TotalSeconds) : long.MaxValue;
        _backlogDeadline = _deadline == long.MaxValue ? long.MaxValue : _deadline + Clock.FromSeconds(backlogGrace.TotalSeconds);
        _ticksPerSlot = ratePerSecond is { } r ? Clock.FromSeconds(1) / r : 0;
        _stop = stop;
        _cancel = cancel;
    }

    public bool OpenLoop => _ticksPerSlot > 0;

    /// <summary>Operations handed out so far.</summary>
    public long Sent => Volatile.Read(ref _sent);

    /// <summary>
    /// Open loop with a deadline: slots that came due before the deadline but were never sent,
    /// because the server fell behind by more than the grace period. Reported, never hidden.
    /// </summary>
    public long NotSent(long phaseEnd)
    {
        if (!OpenLoop || _deadline == long.MaxValue) return 0;
        var due = (long)Math.Ceiling((Math.Min(phaseEnd, _deadline) - _start) / _ticksPerSlot);
        if (_count is { } c) due = Math.Min(due, c);
        return Math.Max(0, due - Sent);
    }

    /// <summary>The due time of the caller's next operation, or null when the phase is over.</summary>
    public async ValueTask<long?> NextAsync()
    {
        if (_cancel.IsCancellationRequested || _stop()) return null;
        var slot = Interlocked.Increment(ref _taken) - 1;
        if (slot >= _count) return null;
        var now = Clock.Now;
        if (!OpenLoop)
        {
            if (now >= _deadline) return null;
            Interlocked.Increment(ref _sent);
            return now;
        }

        var due = _start + (long)(slot * _ticksPerSlot);
        // Late slots that came due before the deadline are still sent (their lateness is the
        // measurement), unless the backlog outlives the grace period.
        if (due >= _deadline || now >= _backlogDeadline) return null;
        Interlocked.Increment(ref _sent);
        var wait = Clock.Elapsed(now, due);
        if (wait > EarlySendMax)
        {
            try
            {
                // Wake up to a millisecond early rather than late: the worker measures from the
                // earlier of due time and send time, so an early send never flatters the figure.
                await Task.Delay(wait - EarlySendMax, _cancel);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
        return due;
    }
}

namespace Cairn.Storage.Tests.Support;

/// <summary>A clock whose timers fire only when the test says so (the testing TimeProvider package is not available here).</summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly List<ManualTimer> _timers = [];

    public int ActiveTimers => _timers.Count(t => !t.Disposed);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(callback, state);
        _timers.Add(timer);
        return timer;
    }

    /// <summary>Runs every live timer's callback once, on the calling thread.</summary>
    public void Fire()
    {
        foreach (var timer in _timers.Where(t => !t.Disposed).ToList()) timer.Callback(timer.State);
    }

    private sealed class ManualTimer(TimerCallback callback, object? state) : ITimer
    {
        public TimerCallback Callback { get; } = callback;
        public object? State { get; } = state;
        public bool Disposed { get; private set; }
        public bool Change(TimeSpan dueTime, TimeSpan period) => !Disposed;
        public void Dispose() => Disposed = true;
        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}

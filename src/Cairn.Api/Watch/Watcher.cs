using Cairn.Store;

namespace Cairn.Api.Watch;

/// <summary>
/// One registered watch connection as the feed sees it: its filter, its bounded queue, the apply thread's staging list
/// for multi-event revisions, and the send-deadline bookkeeping the progress timer checks.
/// </summary>
/// <remarks>
/// Threading: <see cref="Staged"/> is touched only by the apply thread. <see cref="SendStartedAtUnixMs"/> is written by
/// the watcher's sender and read by the progress timer. <see cref="Abort"/> may be called from any thread, once or more.
/// </remarks>
internal sealed class Watcher(WatchFilter filter, int queueEventsMax, Action abort)
{
    private long _sendStartedAtUnixMs;
    private int _aborted;

    public WatchFilter Filter { get; } = filter;
    public WatchQueue Queue { get; } = new(queueEventsMax);

    /// <summary>The current revision's matching events while the apply thread fans a multi-event revision out.</summary>
    public List<ChangeEvent> Staged { get; } = [];

    /// <summary>When the write in progress started (0: none in progress).</summary>
    public long SendStartedAtUnixMs
    {
        get => Volatile.Read(ref _sendStartedAtUnixMs);
        set => Volatile.Write(ref _sendStartedAtUnixMs, value);
    }

    public bool Aborted => Volatile.Read(ref _aborted) != 0;

    /// <summary>Drops the connection (a write took longer than allowed); the sender then ends and unregisters.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0) return;
        Queue.Close();
        abort();
    }
}

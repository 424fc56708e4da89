using Cairn.Node;
using Cairn.Store;
using Microsoft.Extensions.Options;

namespace Cairn.Api.Watch;

/// <summary>
/// The node's change feed: subscribes to the LOCAL <see cref="KvStore"/> (every node applies the same log, so every
/// node can serve watchers) and fans each applied revision out to the bounded queues of the watchers it matches.
/// </summary>
/// <remarks>
/// <para>Threading: <see cref="OnApplied"/> and <see cref="OnSnapshotInstalled"/> run on the store's apply thread and
/// never wait: a full queue is dropped and its watcher resynchronizes. Registration takes a lock and swaps an immutable
/// <see cref="WatcherIndex"/> that the apply thread reads without locking. The progress timer runs on the thread pool.</para>
/// <para>Invariant: <see cref="PublishedRevision"/> = R means every change up to R is in the store's history and has been
/// offered to every watcher registered before R was applied.</para>
/// </remarks>
public sealed class ChangeFeed : IDisposable
{
    private readonly KvStore _store;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly List<Watcher> _registered = [];
    private readonly List<Watcher> _touched = [];
    private readonly ITimer _progressTimer;
    private WatcherIndex _index = WatcherIndex.Empty;
    private long _published;
    private long _overflows;

    public ChangeFeed(KvStore store, IOptions<WatchOptions> options, TimeProvider time)
    {
        _store = store;
        _time = time;
        Options = options.Value;
        _published = store.AppliedRevision;
        store.OnApplied += OnApplied;
        store.OnSnapshotInstalled += OnSnapshotInstalled;
        var interval = TimeSpan.FromMilliseconds(Options.ProgressIntervalMs);
        _progressTimer = time.CreateTimer(_ => Tick(), null, interval, interval);
    }

    public WatchOptions Options { get; }

    internal KvStore Store => _store;

    /// <summary>Every change up to this revision has been offered to the watchers (see the invariant above).</summary>
    public long PublishedRevision => Volatile.Read(ref _published);

    public int WatcherCount
    {
        get
        {
            lock (_lock) return _registered.Count;
        }
    }

    /// <summary>How many times a watcher's queue overflowed since start.</summary>
    public long Overflows => Interlocked.Read(ref _overflows);

    internal IReadOnlyList<Watcher> Watchers => Volatile.Read(ref _index).Watchers;

    /// <summary>Registers a watcher unless <see cref="WatchOptions.WatchersMax"/> are open; the caller must unregister it.</summary>
    internal Watcher Register(WatchFilter filter, Action abort)
    {
        lock (_lock)
        {
            if (_registered.Count >= Options.WatchersMax)
            {
                throw new ServiceUnavailableException(UnavailableReason.Overloaded, mayHaveApplied: false,
                    $"this node already serves {Options.WatchersMax} watchers (Cairn:Watch:WatchersMax); retry later or watch through another node");
            }
            var w = new Watcher(filter, Options.QueueEventsMax, abort);
            _registered.Add(w);
            Volatile.Write(ref _index, new WatcherIndex([.. _registered]));
            return w;
        }
    }

    internal void Unregister(Watcher w)
    {
        w.Queue.Close();
        lock (_lock)
        {
            if (!_registered.Remove(w)) return;
            Volatile.Write(ref _index, new WatcherIndex([.. _registered]));
        }
    }

    /// <summary>Milliseconds since the Unix epoch on the feed's clock (send deadlines).</summary>
    internal long NowUnixMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void OnApplied(long revision, IReadOnlyList<ChangeEvent> changes)
    {
        if (changes.Count > 0)
        {
            var index = Volatile.Read(ref _index);
            if (!index.IsEmpty) FanOut(index, changes);
        }
        Volatile.Write(ref _published, revision);
    }

    private void FanOut(WatcherIndex index, IReadOnlyList<ChangeEvent> changes)
    {
        if (changes.Count == 1)
        {
            index.ForEachMatch(changes[0], this, static (w, e, feed) => feed.Offer(w, e));
            return;
        }
        // A txn's events reach each watcher as one unit, so a queue never holds part of a revision.
        foreach (var e in changes) index.ForEachMatch(e, _touched, static (w, e, touched) =>
        {
            if (w.Staged.Count == 0) touched.Add(w);
            w.Staged.Add(e);
        });
        foreach (var w in _touched)
        {
            if (w.Queue.Offer(w.Staged)) Interlocked.Increment(ref _overflows);
            w.Staged.Clear();
        }
        _touched.Clear();
    }

    private void Offer(Watcher w, ChangeEvent e)
    {
        if (w.Queue.Offer(e)) Interlocked.Increment(ref _overflows);
    }

    private void OnSnapshotInstalled(long revision)
    {
        foreach (var w in Volatile.Read(ref _index).Watchers) w.Queue.RequestResync(ResyncReason.SnapshotInstalled);
        Volatile.Write(ref _published, revision);
    }

    private void Tick()
    {
        var now = NowUnixMs;
        foreach (var w in Volatile.Read(ref _index).Watchers)
        {
            var started = w.SendStartedAtUnixMs;
            if (started != 0 && now - started > Options.SendTimeoutMs) w.Abort();
            else w.Queue.SignalProgress();
        }
    }

    public void Dispose()
    {
        _store.OnApplied -= OnApplied;
        _store.OnSnapshotInstalled -= OnSnapshotInstalled;
        _progressTimer.Dispose();
        foreach (var w in Volatile.Read(ref _index).Watchers) w.Queue.Close();
    }
}

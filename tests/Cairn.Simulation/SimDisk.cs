using Cairn.Consensus;
using Cairn.Consensus.Storage;

namespace Cairn.Simulation;

/// <summary>
/// The storage of one simulated server, modelled on <c>FileStorage</c> under <c>FsyncPolicy.PerBatch</c>: the three
/// in-memory stores are what the operating system holds (what the node reads, and what a process crash keeps, since
/// every store call hands its bytes to the OS before returning), and a sync watermark says what is on stable media
/// (what a power loss keeps).
/// <para>Structural writes are durable when their call returns, as in the real store: a snapshot save, a log reset, a
/// compaction, and the truncation of a conflicting suffix (fsynced before new records are written). New log records and
/// the stable state are durable only at <see cref="Sync"/>, the driver's explicit sync point. A power loss keeps the
/// durable state plus a random prefix of the unsynced records (what survives a torn write after the WAL's torn-tail
/// repair) and the last synced stable state (atomic replace: old or new, never mixed).</para>
/// Single-threaded, like everything in a run.
/// </summary>
internal sealed class SimDisk
{
    private StableState? _syncedStable;

    // What this node's messages promised about its disk, checked after every power loss: the last vote it granted, and
    // the highest entry it acknowledged (until a durable truncation or reset legitimately replaced it).
    private (Term Term, NodeId Candidate) _votePromise;
    private (LogIndex Index, Term Term) _logPromise;

    public SimDisk() => Log = new SimLogStore(this);

    public SimLogStore Log { get; }
    public InMemoryStableStore Stable { get; private set; } = new();
    public InMemorySnapshotStore Snapshots { get; private set; } = new();

    /// <summary>Log entries up to here are durable (never below the log's base).</summary>
    public LogIndex SyncedLast { get; private set; }

    /// <summary>Something was written since the last sync point (new records, or a stable state).</summary>
    public bool HasUnsynced => Log.LastIndex > SyncedLast || !ReferenceEquals(Stable.Load(), _syncedStable);

    /// <summary>Syncs performed (fsync calls of the model), for the figures.</summary>
    public long Syncs { get; private set; }

    /// <summary>The durable stable state (what a power loss keeps).</summary>
    public StableState? SyncedStable => _syncedStable;

    /// <summary>The sync point: every record and the stable state written so far become durable.</summary>
    public void Sync()
    {
        if (!HasUnsynced) return;
        SyncedLast = Log.LastIndex;
        _syncedStable = Stable.Load();
        Syncs++;
    }

    /// <summary>
    /// A power loss (or an OS crash): unsynced data is lost, except a prefix of the unsynced records chosen by
    /// <paramref name="random"/>. Returns what was lost, for the fault log.
    /// </summary>
    public string PowerLoss(Func<int, int> random)
    {
        var unsynced = (int)(Log.LastIndex.Value - SyncedLast.Value);
        var keep = unsynced == 0 ? 0 : random(unsynced + 1);
        var stableLost = !ReferenceEquals(Stable.Load(), _syncedStable);
        Log.TruncateAfter(new LogIndex(SyncedLast.Value + (ulong)keep));
        Stable = new InMemoryStableStore();
        if (_syncedStable is not null) Stable.Save(_syncedStable);
        SyncedLast = Log.LastIndex;
        return $"{unsynced - keep} of {unsynced} unsynced records lost{(stableLost ? ", stable state back to the synced one" : "")}";
    }

    /// <summary>A message leaves the node: remember what it promises is durable (a granted vote, acknowledged entries).</summary>
    public void RecordPromise(Message message, RaftNode raft)
    {
        switch (message)
        {
            case VoteResponse { Granted: true, PreVote: false } vote when vote.Term > _votePromise.Term:
                _votePromise = (vote.Term, vote.To);
                break;
            case AppendEntriesResponse { Success: true } ack when ack.Index > _logPromise.Index && raft.LogTermAt(ack.Index) is { } term:
                _logPromise = (ack.Index, term);
                break;
            default:
                break;
        }
    }

    /// <summary>
    /// After a power loss: what a message promised and the disk no longer holds (the driver acknowledged before the
    /// write was durable), or null. Entries at or below the log's base are in the durable snapshot.
    /// </summary>
    public string? BrokenPromise()
    {
        var hard = _syncedStable?.HardState ?? default;
        if (_votePromise.Term > Term.Zero && (hard.Term < _votePromise.Term || (hard.Term == _votePromise.Term && hard.Vote != _votePromise.Candidate)))
            return $"it granted its vote in term {_votePromise.Term} to {_votePromise.Candidate}, but its durable term is {hard.Term} with vote {hard.Vote}";
        var (index, term) = _logPromise;
        if (index > Log.BaseIndex && (Log.LastIndex < index || Log.TermAt(index) != term))
            return $"it acknowledged entries up to {index} (term {term}), but its durable log ends at {Log.LastIndex}" +
                   (Log.LastIndex >= index ? $" with term {Log.TermAt(index)} there" : "");
        return null;
    }

    /// <summary>An <c>--in-memory</c> node's restart: nothing survives.</summary>
    public void Wipe()
    {
        _votePromise = default;
        _logPromise = default;
        Log.Clear();
        Stable = new InMemoryStableStore();
        Snapshots = new InMemorySnapshotStore();
        _syncedStable = null;
        SyncedLast = LogIndex.Zero;
    }

    /// <summary>The log cut its suffix from <paramref name="from"/> on, durably (before any new record is written).</summary>
    internal void OnTruncated(LogIndex from, Term termBefore)
    {
        if (SyncedLast >= from) SyncedLast = from.Prev;
        if (_logPromise.Index >= from) _logPromise = (from.Prev, termBefore);
    }

    /// <summary>A compaction or reset moved the log's base (durably, with a new base file).</summary>
    internal void OnBaseMoved(LogIndex baseIndex, bool reset)
    {
        if (reset)
        {
            SyncedLast = baseIndex;
            _logPromise = default; // the snapshot holds everything up to its index and replaced the rest
        }
        // A durable snapshot covers everything up to the base. (Only a driver that applies before syncing compacts past SyncedLast.)
        if (SyncedLast < baseIndex) SyncedLast = baseIndex;
    }
}

/// <summary>
/// <see cref="ILogStore"/> over an <see cref="InMemoryLogStore"/>, telling its <see cref="SimDisk"/> about the
/// structural writes (truncation, compaction, reset) that are durable at once. Not thread-safe.
/// </summary>
internal sealed class SimLogStore(SimDisk disk) : ILogStore
{
    private InMemoryLogStore _inner = new();

    public LogIndex BaseIndex => _inner.BaseIndex;
    public Term BaseTerm => _inner.BaseTerm;
    public LogIndex FirstIndex => _inner.FirstIndex;
    public LogIndex LastIndex => _inner.LastIndex;

    public Term TermAt(LogIndex index) => _inner.TermAt(index);

    public IReadOnlyList<Entry> GetEntries(LogIndex from, LogIndex toExclusive, long bytesMax) => _inner.GetEntries(from, toExclusive, bytesMax);

    public void Append(IReadOnlyList<Entry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count > 0 && entries[0].Index <= _inner.LastIndex) disk.OnTruncated(entries[0].Index, _inner.TermAt(entries[0].Index.Prev));
        _inner.Append(entries);
    }

    public void Compact(LogIndex upTo)
    {
        _inner.Compact(upTo);
        disk.OnBaseMoved(upTo, reset: false);
    }

    public void Reset(LogIndex index, Term term)
    {
        _inner.Reset(index, term);
        disk.OnBaseMoved(index, reset: true);
    }

    /// <summary>Keeps entries up to <paramref name="last"/> (a power loss's surviving prefix).</summary>
    internal void TruncateAfter(LogIndex last)
    {
        if (last >= _inner.LastIndex) return;
        var kept = new InMemoryLogStore();
        kept.Reset(_inner.BaseIndex, _inner.BaseTerm);
        if (last > _inner.BaseIndex) kept.Append(_inner.GetEntries(_inner.FirstIndex, last.Next, long.MaxValue));
        _inner = kept;
    }

    internal void Clear() => _inner = new InMemoryLogStore();
}

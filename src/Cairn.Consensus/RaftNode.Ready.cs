namespace Cairn.Consensus;

public sealed partial class RaftNode
{
    private List<Message> _outbox = [];
    private List<ReadState> _readStates = [];

    // What the driver last persisted / was told; null hard state = nothing persisted yet (brand-new node).
    private HardState? _prevHardState;
    private SoftState _prevSoftState;
    private Membership? _bootstrapToSave;

    // The Ready handed out and not yet advanced.
    private Ready? _outstandingReady;

    private HardState CurrentHardState => new(_term, _vote, _log.Committed);

    /// <summary>True when <see cref="GetReady"/> would return something to persist, send, apply or report.</summary>
    public bool HasReady
    {
        get
        {
            if (_outstandingReady is not null) return false;
            return new SoftState(_leader, _role) != _prevSoftState
                || _prevHardState != CurrentHardState
                || _bootstrapToSave is not null
                || _log.PendingSnapshot is not null
                || _log.HasUnstableEntries
                || _outbox.Count > 0
                || _readStates.Count > 0
                || _log.HasNextCommitted
                || CanLaunchReads;
        }
    }

    /// <summary>
    /// Collects the work accumulated since the last Ready. Pending reads are launched here as one heartbeat round,
    /// so every read requested between two Ready cycles shares one quorum confirmation.
    /// </summary>
    public Ready GetReady()
    {
        AssertNoReadyOutstanding();
        LaunchPendingReads();
        var hard = CurrentHardState;
        var soft = new SoftState(_leader, _role);
        var ready = new Ready(
            hard != _prevHardState ? hard : null,
            _bootstrapToSave,
            soft != _prevSoftState ? soft : null,
            _log.TakeUnstable(),
            _log.PendingSnapshot,
            _outbox,
            _log.NextCommitted(_config.CommittedBytesPerReadyMax),
            _readStates);
        _outbox = [];
        _readStates = [];
        _outstandingReady = ready;
        return ready;
    }

    /// <summary>
    /// Acknowledges that <paramref name="ready"/> was fully handled (persisted, sent, applied). Fails an
    /// <see cref="Invariant"/> when called with another Ready, or when the stores do not hold what it asked to persist.
    /// </summary>
    public void Advance(Ready ready)
    {
        ArgumentNullException.ThrowIfNull(ready);
        Invariant.Check(_outstandingReady is not null, "Advance without an outstanding Ready");
        Invariant.Check(ReferenceEquals(ready, _outstandingReady), "Advance must be given the Ready returned by the last GetReady");
        _outstandingReady = null;

        if (ready.HardState is { } hard)
        {
            Invariant.Check(_stableStore.Load()?.HardState == hard, "the driver must persist the Ready's hard state before Advance");
            _prevHardState = hard;
        }
        if (ready.BootstrapMembership is not null)
        {
            Invariant.Check(_stableStore.Load()?.Bootstrap == ready.BootstrapMembership, "the driver must persist the bootstrap membership");
            _bootstrapToSave = null;
        }
        if (ready.SoftState is { } soft) _prevSoftState = soft;
        if (ready.Snapshot is not null) _log.SnapshotPersisted();
        if (ready.EntriesToPersist.Count > 0)
        {
            var last = ready.EntriesToPersist[^1];
            Invariant.Check(_logStore.LastIndex >= last.Index && _logStore.TermAt(last.Index) == last.Term,
                "the driver must persist the Ready's entries before Advance");
        }
        _log.StableHandedOut();

        if (ready.CommittedEntries.Count > 0)
        {
            _log.AppliedTo(ready.CommittedEntries[^1].Index);
            if (_role == RaftRole.Leader)
            {
                foreach (var e in ready.CommittedEntries) _uncommittedBytes -= e.SizeBytes;
                if (_uncommittedBytes < 0) _uncommittedBytes = 0; // entries of earlier terms were not counted
            }
        }

        // The leader counts its own log for commit only once persisted: that just happened.
        if (ready.EntriesToPersist.Count > 0 && MaybeCommit() && _role == RaftRole.Leader) BroadcastAppend();
    }
}

using Cairn.Consensus.Storage;

namespace Cairn.Consensus;

/// <summary>
/// A pure Raft state machine (etcd-io/raft's RawNode shape): no I/O of its own, no clock, no threads.
/// Time is <see cref="Tick"/>; input is <see cref="Step"/> and the proposal methods; output is <see cref="GetReady"/>,
/// acknowledged with <see cref="Advance"/> (see <see cref="Ready"/> for the contract).
/// <para><b>Single-threaded by contract</b>: one driver thread makes every call, and no call other than
/// <see cref="HasReady"/> and <see cref="Status"/> is allowed between <see cref="GetReady"/> and <see cref="Advance"/>.</para>
/// <para>Deterministic: the same sequence of calls (and the same seeded <see cref="RaftConfig.Random"/>) produces the
/// same Ready values, messages in the same order (peers are always visited in <see cref="NodeId"/> order).</para>
/// The node reads its stores; it writes the snapshot store and compacts the log store only in
/// <see cref="CreateSnapshot"/>, and assembles incoming snapshots through <see cref="ISnapshotStore.BeginReceive"/>.
/// Everything else is persisted by the driver from the Ready.
/// </summary>
public sealed partial class RaftNode
{
    private readonly RaftConfig _config;
    private readonly TestingFaults _faults;
    private readonly ILogStore _logStore;
    private readonly IStableStore _stableStore;
    private readonly ISnapshotStore _snapshots;
    private readonly RaftLog _log;

    // Hard state (with _log.Committed). Term never decreases; at most one vote per term.
    private Term _term;
    private NodeId _vote;

    // Soft state.
    private NodeId _leader;
    private RaftRole _role;

    public RaftNode(RaftConfig config, ILogStore logStore, IStableStore stableStore, ISnapshotStore snapshotStore)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(logStore);
        ArgumentNullException.ThrowIfNull(stableStore);
        ArgumentNullException.ThrowIfNull(snapshotStore);
        config.Validate();
        _config = config;
        _faults = config.Faults;
        _logStore = logStore;
        _stableStore = stableStore;
        _snapshots = snapshotStore;

        var stable = stableStore.Load();
        var snapshot = snapshotStore.LatestMeta;
        RepairLogAfterInterruptedInstall(logStore, snapshot);
        Invariant.Check(logStore.BaseIndex <= (snapshot?.Index ?? LogIndex.Zero), "the log was compacted past the latest snapshot");

        var hard = stable?.HardState ?? default;
        var snapshotIndex = snapshot?.Index ?? LogIndex.Zero;
        _log = new RaftLog(logStore, LogIndex.Max(hard.Commit, snapshotIndex), snapshotIndex);
        _term = hard.Term;
        _vote = hard.Vote;

        // A brand-new node records its bootstrap configuration (and an initial hard state) in its first Ready.
        _prevHardState = stable?.HardState;
        _bootstrapToSave = stable is null ? config.Bootstrap ?? Membership.Empty : null;
        var bootstrap = stable?.Bootstrap ?? config.Bootstrap ?? Membership.Empty;
        InitializeMembership(snapshot, bootstrap);

        _step = StepFollower;
        BecomeFollower(_term, NodeId.None);
        _prevSoftState = new SoftState(NodeId.None, RaftRole.Follower);
    }

    public NodeId Id => _config.Id;

    public RaftRole Role => _role;

    public Term Term => _term;

    /// <summary>The leader this node currently follows (itself when leader), or None.</summary>
    public NodeId Leader => _leader;

    /// <summary>The configuration in effect: the latest one in the log (a new configuration takes effect when appended).</summary>
    public Membership Membership => _membership;

    public RaftConfig Config => _config;

    /// <summary>Term of the entry at <paramref name="index"/> in this node's log (persisted or not), or null. For checkers.</summary>
    internal Term? LogTermAt(LogIndex index) => _log.TermAt(index);

    /// <summary>Last index of this node's log, including entries not yet persisted. For checkers.</summary>
    internal LogIndex LogLastIndex => _log.LastIndex;

    /// <summary>A copy of the node's state; allowed at any time.</summary>
    public RaftStatus Status => new(
        Id, _role, _term, _vote, _leader, _log.Committed, _log.Applied, _log.FirstIndex, _log.LastIndex,
        _snapshots.LatestMeta?.Index ?? LogIndex.Zero, _membership, _leadTransferee,
        _role == RaftRole.Leader ? PeersInOrder().Select(p => p.ToStatus()).ToArray() : []);

    /// <summary>
    /// A snapshot store saved a snapshot, but the driver crashed before resetting the log to it: finish the reset
    /// now, unless the log already holds the snapshot's last entry (then it is a prefix of the log and nothing is lost).
    /// </summary>
    private static void RepairLogAfterInterruptedInstall(ILogStore log, SnapshotMeta? snapshot)
    {
        if (snapshot is null || log.BaseIndex >= snapshot.Index) return;
        if (log.LastIndex >= snapshot.Index && log.TermAt(snapshot.Index) == snapshot.Term) return;
        log.Reset(snapshot.Index, snapshot.Term);
    }

    private void AssertNoReadyOutstanding() =>
        Invariant.Check(_outstandingReady is null, "no call into RaftNode is allowed between GetReady and Advance");

    private void Send(Message message)
    {
        Invariant.Check(message.From == Id && message.To != Id && !message.To.IsNone, "messages go from this node to another");
        _outbox.Add(message);
    }
}

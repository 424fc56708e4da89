using Cairn.Consensus;
using Cairn.Consensus.Storage;
using Cairn.Store;
using Cairn.Store.Codec;

namespace Cairn.Simulation;

/// <summary>How a node goes down.</summary>
internal enum CrashKind
{
    /// <summary>kill -9: the OS keeps every byte the stores handed it.</summary>
    Process,

    /// <summary>Power loss or OS crash: only synced writes survive (plus a torn prefix of unsynced records).</summary>
    PowerLoss,

    /// <summary>An <c>--in-memory</c> node's process ends: nothing survives.</summary>
    Amnesia,
}

internal enum NodeLife
{
    /// <summary>A spare id the nemesis has not added yet.</summary>
    NotStarted,
    Up,
    /// <summary>Down; its disk holds what survived the crash and it can be restarted.</summary>
    Crashed,
    /// <summary>
    /// An <c>--in-memory</c> node restarted empty and asks its founding peers whether they hold data before its Raft
    /// loop starts (ClusterNode.ProbeForExistingDataAsync); its peer messages are dropped and clients go elsewhere.
    /// </summary>
    Probing,
    /// <summary>Removed from the cluster (or an orphaned join) and shut down for good, stores discarded.</summary>
    Decommissioned,
}

/// <summary>
/// One simulated server: a real <see cref="RaftNode"/> and a real <see cref="KvStore"/> over a <see cref="SimDisk"/>,
/// driven by the Ready contract. A crash drops the RaftNode and the KvStore; the disk keeps what survives that kind of
/// crash (a process crash: every write; a power loss: what was synced; an in-memory node: nothing). A restart builds
/// both again from the disk, the KvStore from the latest snapshot, then Raft re-applies the log.
/// </summary>
internal sealed partial class SimNode(NodeId id, StoreLimits limits)
{
    private readonly List<ClientOp> _pendingWrites = [];
    private readonly List<ClientOp> _pendingReads = [];

    public NodeId Id { get; } = id;

    public NodeLife Life { get; private set; } = NodeLife.NotStarted;

    public bool IsUp => Life == NodeLife.Up;

    public SimDisk Disk { get; private set; } = new();

    public SimLogStore LogStore => Disk.Log;
    public InMemoryStableStore StableStore => Disk.Stable;
    public InMemorySnapshotStore SnapshotStore => Disk.Snapshots;

    /// <summary>
    /// The node lost everything in its last crash (in-memory) and has not caught up since: it is still recovering, or
    /// its commit has not reached <see cref="CatchUpTo"/>, the highest index committed anywhere when it restarted.
    /// </summary>
    public bool Amnesic { get; set; }

    public LogIndex CatchUpTo { get; set; }

    /// <summary>The highest term (and its vote) this node reached before it last lost its state.</summary>
    public (Term Term, NodeId Vote) TermBeforeAmnesia { get; set; }

    /// <summary>This incarnation started through <see cref="RaftNode.BeginRecovery"/>.</summary>
    public bool StartedRecovering { get; private set; }

    /// <summary>What the safety checker last saw of <see cref="RaftNode.Recovering"/>.</summary>
    public bool CheckedRecovering { get; set; }

    /// <summary>Probing: when the probe started, which founding peers it reached (bit per id), how many answered, and whether one holds data.</summary>
    public long ProbeStartedAt { get; private set; }
    public ulong ProbeRecipients { get; set; }
    public int ProbeAnswers { get; set; }
    public bool ProbeFoundData { get; set; }

    /// <summary>The consensus core while up; null when down.</summary>
    public RaftNode? Raft { get; private set; }

    /// <summary>The state machine while up; null when down.</summary>
    public KvStore? Kv { get; private set; }

    public int Incarnation { get; private set; }

    /// <summary>Last index applied to <see cref="Kv"/> (or restored into it) in this incarnation.</summary>
    public LogIndex Applied { get; private set; }

    // What the safety checker last saw of this node (see SafetyChecker).
    public LogIndex CheckedCommit { get; set; }
    public Term CheckedTerm { get; set; }

    /// <summary>
    /// Nemesis: crash this node while it persists its next Ready (torn between store writes, or right after the last
    /// one), before sending or applying anything.
    /// </summary>
    public bool CrashInNextPersist { get; set; }

    /// <summary>Nemesis: when a crashed node comes back.</summary>
    public long RestartAt { get; set; }

    public RaftNode UpRaft => Raft ?? throw new InvalidOperationException($"{Id} is down");

    /// <summary>
    /// Starts (or restarts) over the disk: the KvStore is the latest snapshot, Raft hands out the rest again. A node that
    /// restarted empty while the cluster holds data is told so before its first step (<see cref="RaftNode.BeginRecovery"/>).
    /// </summary>
    public void Start(RaftConfig config, SafetyChecker checker, bool recovering = false)
    {
        Invariant.Check(Life is NodeLife.NotStarted or NodeLife.Crashed or NodeLife.Probing, "only a stopped node starts");
        var persisted = StableStore.Load()?.HardState;
        checker.BeforeStart(this, persisted);
        var snapshot = SnapshotStore.LoadLatest();
        Kv = snapshot is null ? new KvStore(limits) : KvStore.Restore(new MemoryStream(snapshot.Data.ToArray()), limits);
        Raft = new RaftNode(config, LogStore, StableStore, SnapshotStore);
        if (recovering) Raft.BeginRecovery();
        StartedRecovering = recovering;
        Applied = snapshot?.Meta.Index ?? LogIndex.Zero;
        Incarnation++;
        Life = NodeLife.Up;
        CrashInNextPersist = false;
        ResetInbox();
        checker.OnStart(this, persisted);
    }

    /// <summary>An in-memory node came back empty: it probes its founding peers before starting (see <see cref="NodeLife.Probing"/>).</summary>
    public void BeginProbe(long now)
    {
        Invariant.Check(Life is NodeLife.Crashed or NodeLife.Probing && Amnesic, "only an empty node probes");
        Life = NodeLife.Probing;
        ProbeStartedAt = now;
        ProbeRecipients = 0;
        ProbeAnswers = 0;
        ProbeFoundData = false;
    }

    /// <summary>Loses the RaftNode, the KvStore and in-flight client requests; the disk keeps what this kind of crash keeps.</summary>
    public string Crash(SimClients clients, CrashKind kind, Func<int, int> random)
    {
        Invariant.Check(IsUp, "only a running node crashes");
        if (kind == CrashKind.Amnesia && Raft!.Term >= TermBeforeAmnesia.Term) TermBeforeAmnesia = (Raft.Term, Raft.Status.Vote);
        Raft = null;
        Kv = null;
        Life = NodeLife.Crashed;
        CrashInNextPersist = false;
        FailPending(clients, writesUnknown: true);
        FailInbox(clients);
        switch (kind)
        {
            case CrashKind.Process:
                // Every store call handed its bytes to the OS before returning: the page cache reaches the disk.
                Disk.Sync();
                return "process crash";
            case CrashKind.PowerLoss:
                return "power loss: " + Disk.PowerLoss(random);
            default:
                Disk.Wipe();
                Amnesic = true;
                return "in-memory node lost everything";
        }
    }

    /// <summary>Shuts the node down for good (it was removed from the configuration, or never made it in).</summary>
    public void Decommission(SimClients clients)
    {
        if (IsUp) Crash(clients, CrashKind.Process, _ => 0);
        Life = NodeLife.Decommissioned;
        Disk = new SimDisk();
    }

    /// <summary>
    /// A client write arrives: proposed if this node leads. Otherwise the answer is "not leader" (nothing was
    /// proposed) with the leader it knows of, which the caller may try next; None when it knows no leader.
    /// The caller defers requests to a node waiting for an fsync (<see cref="IsSyncing"/>).
    /// </summary>
    public NodeId? SubmitWrite(ClientOp op)
    {
        if (!IsUp) return NodeId.None; // connection refused: nothing was proposed
        Invariant.Check(!IsSyncing, "requests to a node waiting for an fsync are deferred");
        var result = UpRaft.Propose([CommandCodec.Encode(op.ToEnvelope())]);
        if (!result.Accepted) return result.LeaderHint;
        op.Node = this;
        op.ProposedIndex = result.FirstIndex;
        _pendingWrites.Add(op);
        return null;
    }

    /// <summary>A client read arrives: ReadIndex on this node, answered from the KvStore once applied reaches the read index.</summary>
    public void SubmitRead(ClientOp op, SimClients clients)
    {
        Invariant.Check(!IsSyncing, "requests to a node waiting for an fsync are deferred");
        if (!IsUp || !UpRaft.ReadIndex(op.ReadId).Accepted)
        {
            clients.Fail(op);
            return;
        }
        op.Node = this;
        _pendingReads.Add(op);
    }

    /// <summary>
    /// Requests in flight on this node when it crashes or its leadership changes: writes may still commit (Unknown);
    /// reads without a confirmed index had no effect (Fail).
    /// </summary>
    private void FailPending(SimClients clients, bool writesUnknown)
    {
        if (writesUnknown)
        {
            foreach (var op in _pendingWrites)
            {
                if (!op.Done) clients.Unknown(op);
            }
            _pendingWrites.Clear();
        }
        foreach (var op in _pendingReads)
        {
            if (!op.Done) clients.Fail(op);
        }
        _pendingReads.Clear();
    }
}

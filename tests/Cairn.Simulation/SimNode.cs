using Cairn.Consensus;
using Cairn.Consensus.Storage;
using Cairn.Store;
using Cairn.Store.Codec;

namespace Cairn.Simulation;

internal enum NodeLife
{
    /// <summary>A spare id the nemesis has not added yet.</summary>
    NotStarted,
    Up,
    /// <summary>Down; its stores hold exactly what it persisted and it can be restarted.</summary>
    Crashed,
    /// <summary>Removed from the cluster (or an orphaned join) and shut down for good, stores discarded.</summary>
    Decommissioned,
}

/// <summary>
/// One simulated server: a real <see cref="RaftNode"/> and a real <see cref="KvStore"/> over in-memory stores,
/// driven by the Ready contract. A crash drops the RaftNode and the KvStore and keeps the stores (what was persisted);
/// a restart builds both again from the stores, the KvStore from the latest snapshot, then Raft re-applies the log.
/// </summary>
internal sealed partial class SimNode(NodeId id, StoreLimits limits)
{
    private readonly List<ClientOp> _pendingWrites = [];
    private readonly List<ClientOp> _pendingReads = [];

    public NodeId Id { get; } = id;

    public NodeLife Life { get; private set; } = NodeLife.NotStarted;

    public bool IsUp => Life == NodeLife.Up;

    public InMemoryLogStore LogStore { get; private set; } = new();
    public InMemoryStableStore StableStore { get; private set; } = new();
    public InMemorySnapshotStore SnapshotStore { get; private set; } = new();

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

    /// <summary>Starts (or restarts) over the stores: the KvStore is the latest snapshot, Raft hands out the rest again.</summary>
    public void Start(RaftConfig config, SafetyChecker checker)
    {
        Invariant.Check(Life is NodeLife.NotStarted or NodeLife.Crashed, "only a stopped node starts");
        var persisted = StableStore.Load()?.HardState;
        var snapshot = SnapshotStore.LoadLatest();
        Kv = snapshot is null ? new KvStore(limits) : KvStore.Restore(new MemoryStream(snapshot.Data.ToArray()), limits);
        Raft = new RaftNode(config, LogStore, StableStore, SnapshotStore);
        Applied = snapshot?.Meta.Index ?? LogIndex.Zero;
        Incarnation++;
        Life = NodeLife.Up;
        CrashInNextPersist = false;
        checker.OnStart(this, persisted);
    }

    /// <summary>Loses everything not persisted: the RaftNode, the KvStore, in-flight client requests.</summary>
    public void Crash(SimClients clients)
    {
        Invariant.Check(IsUp, "only a running node crashes");
        Raft = null;
        Kv = null;
        Life = NodeLife.Crashed;
        CrashInNextPersist = false;
        FailPending(clients, writesUnknown: true);
    }

    /// <summary>Shuts the node down for good (it was removed from the configuration, or never made it in).</summary>
    public void Decommission(SimClients clients)
    {
        if (IsUp) Crash(clients);
        Life = NodeLife.Decommissioned;
        LogStore = new InMemoryLogStore();
        StableStore = new InMemoryStableStore();
        SnapshotStore = new InMemorySnapshotStore();
    }

    /// <summary>
    /// A client write arrives: proposed if this node leads. Otherwise the answer is "not leader" (nothing was
    /// proposed) with the leader it knows of, which the caller may try next; None when it knows no leader.
    /// </summary>
    public NodeId? SubmitWrite(ClientOp op)
    {
        if (!IsUp) return NodeId.None; // connection refused: nothing was proposed
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

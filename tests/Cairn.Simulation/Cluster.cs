using Cairn.Consensus;
using Cairn.Store;

namespace Cairn.Simulation;

/// <summary>
/// One simulated world: nodes, network, clients, nemesis and checker, advanced tick by tick from one seeded RNG.
/// A tick: deliver the messages due → tick every node → nemesis → clients → drain every node's Ready → snapshots.
/// Nodes are always visited in id order and nothing iterates a hash container, so a seed replays exactly.
/// </summary>
internal sealed partial class Cluster
{
    /// <summary>Fault log lines kept for the failure report.</summary>
    private const int FaultLogLinesMax = 400;

    /// <summary>Ticks between two full log-matching sweeps over every persisted log.</summary>
    private const int LogSweepEveryTicks = 50;

    private static readonly StoreLimits Limits = new()
    {
        // Small dedup window and history: snapshots stay a few KB and travel in several chunks.
        DedupEntriesMax = 32,
        HistoryEventsMax = 256,
        HistoryBytesMax = 1 << 20,
    };

    private readonly Random _rng;
    private readonly List<SimNode> _nodes;
    private readonly Queue<string> _faultLog = new();
    private readonly HashSet<LogIndex> _membershipIndexesApplied = []; // looked up only
    private readonly List<NodeId> _toDecommission = [];
    private NodeId _lastLeader;

    public Cluster(SimOptions options)
    {
        Options = options;
        // Derived from, but not equal to, the options' stream: the seed still decides everything.
        _rng = new Random(unchecked((options.Seed * 31) + 0x5bd1e995));
        Network = new Network(_rng, options.DelayMinTicks, options.DelayMaxTicks, options.LossRate, options.DuplicateRate);
        _nodes = [.. Enumerable.Range(1, options.InitialVoters + options.SpareNodes).Select(i => new SimNode(new NodeId((ulong)i), Limits))];
        Checker = new SafetyChecker(this);
        Clients = new SimClients(this, _rng, options.Clients, options.Keys);
        Nemesis = new Nemesis(this, _rng);
    }

    public SimOptions Options { get; }
    public long Now { get; private set; }
    public Network Network { get; }
    public SafetyChecker Checker { get; }
    public SimClients Clients { get; }
    public Nemesis Nemesis { get; }
    public SimStats Stats { get; } = new();
    public TraceHash Trace { get; } = new();
    public IReadOnlyList<SimNode> Nodes => _nodes;
    public IEnumerable<string> FaultLog => _faultLog;

    /// <summary>Bootstraps the initial voters and runs the safety phase, then the liveness phase.</summary>
    public void Run()
    {
        var bootstrap = new Membership(_nodes.Take(Options.InitialVoters).Select(n => n.Id), []);
        foreach (var node in _nodes.Take(Options.InitialVoters)) node.Start(MakeConfig(node.Id, bootstrap), Checker);
        Log($"start {Options}");
        while (Now < Options.SafetyTicks)
        {
            Now++;
            Step(nemesis: true);
        }
        RunLiveness();
    }

    private void Step(bool nemesis)
    {
        while (Network.TryReceive(Now, out var message))
        {
            var node = NodeById(message.To);
            if (node is not { IsUp: true }) continue;
            Trace.Add(1, message.From.Value, message.To.Value, ((ulong)message.Kind << 48) ^ message.Term.Value);
            if (message is AppendEntriesResponse { Success: false }) Stats.AppendsRejected++;
            node.Deliver(message, this);
        }
        foreach (var node in _nodes)
        {
            if (node.IsUp) node.TickClock(this);
        }
        AdvanceProbes();
        PromoteRecoveredLearners();
        if (nemesis) Nemesis.Tick();
        DecommissionRemoved();
        Clients.Tick();
        foreach (var node in _nodes) node.DrainReady(this);
        foreach (var node in _nodes) node.MaybeSnapshot(this, Options.SnapshotEveryEntries);
        if (Now % LogSweepEveryTicks == 0) Checker.CheckPersistedLogs([.. _nodes.Where(n => n.Life is NodeLife.Up or NodeLife.Crashed or NodeLife.Probing)]);
    }

    public void Send(Message message)
    {
        if (message is InstallSnapshot chunk)
        {
            Stats.SnapshotChunksSent++;
            if (chunk.Offset == 0) Stats.SnapshotTransfersStarted++;
        }
        Network.Send(message, Now);
    }

    public SimNode? NodeById(NodeId id)
    {
        var i = (int)id.Value - 1;
        return i >= 0 && i < _nodes.Count ? _nodes[i] : null;
    }

    /// <summary>The up node that believes it leads in the highest term (a deposed leader may not know yet).</summary>
    public SimNode? CurrentLeader()
    {
        SimNode? best = null;
        foreach (var node in _nodes)
        {
            if (node is { IsUp: true, Raft.Role: RaftRole.Leader } && (best is null || node.UpRaft.Term > best.UpRaft.Term)) best = node;
        }
        return best;
    }

    /// <summary>Nodes that exist (up, probing or crashed), in id order: the ones partitions and clients are about.</summary>
    public IReadOnlyList<NodeId> LiveOrCrashedIds() => [.. _nodes.Where(n => n.Life is NodeLife.Up or NodeLife.Crashed or NodeLife.Probing).Select(n => n.Id)];

    /// <summary>A client contacts a random running node (a crashed one refuses connections; clients go elsewhere).</summary>
    public SimNode? PickNodeForClient(Random rng)
    {
        var up = _nodes.Count(n => n.IsUp);
        if (up == 0) return null;
        var pick = rng.Next(up);
        foreach (var node in _nodes)
        {
            if (node.IsUp && pick-- == 0) return node;
        }
        return null;
    }

    public RaftConfig MakeConfig(NodeId id, Membership? bootstrap) => new()
    {
        Id = id,
        ElectionTicks = Options.ElectionTicks,
        HeartbeatTicks = Options.HeartbeatTicks,
        PreVote = Options.PreVote,
        CheckQuorum = Options.CheckQuorum,
        ReadMode = Options.ReadMode,
        EntriesPerMessageMax = Options.EntriesPerMessageMax,
        InflightMessagesMax = Options.InflightMessagesMax,
        SnapshotChunkBytesMax = Options.SnapshotChunkBytesMax,
        SnapshotLogTailEntries = Options.SnapshotLogTailEntries,
        Random = new Random(_rng.Next()),
        Bootstrap = bootstrap,
        Faults = Options.Faults,
    };

    /// <summary>A draw from the run's RNG, for decisions taken inside a node's Ready handling.</summary>
    public int NextRandom(int maxExclusive) => _rng.Next(maxExclusive);

    /// <summary>A node added as a learner starts empty, with no configuration: it learns it from the leader.</summary>
    public void StartJoiningNode(SimNode node) => node.Start(MakeConfig(node.Id, bootstrap: null), Checker);

    private Membership InitialMembership() => new(_nodes.Take(Options.InitialVoters).Select(n => n.Id), []);

    /// <summary>Nemesis: a transfer to this node was started; it counts as completed if the target wins an election soon.</summary>
    public (NodeId Target, long Until) PendingTransfer { get; set; }

    public void OnLeaderElected(SimNode node)
    {
        Trace.Add(2, node.Id.Value, node.UpRaft.Term.Value);
        if (PendingTransfer.Target == node.Id && Now <= PendingTransfer.Until)
        {
            Stats.TransfersCompleted++;
            PendingTransfer = default;
        }
        if (node.Id != _lastLeader) Stats.LeaderChanges++;
        _lastLeader = node.Id;
        Log($"{node.Id} leads term {node.UpRaft.Term}");
        Nemesis.OnLeaderElected(node);
    }

    /// <summary>A membership entry applied somewhere: count it once; a removed node is shut down (its removal is committed).</summary>
    public void OnMembershipApplied(SimNode node, Entry entry)
    {
        if (!_membershipIndexesApplied.Add(entry.Index)) return;
        var change = MembershipCodec.DecodeEntry(entry.Data.Span);
        Stats.MembershipChangesCommitted++;
        Log($"membership change committed at {entry.Index}: {change.Change.Kind} {change.Change.Node} -> {change.Result} (seen on {node.Id})");
        if (change.Change.Kind == MembershipChangeKind.Remove) _toDecommission.Add(change.Change.Node);
        if (change.Change.Kind == MembershipChangeKind.DemoteVoter)
        {
            Stats.RecoveringVotersDemoted++;
            _demoted.Add(change.Change.Node);
        }
        else if (change.Change.Kind is MembershipChangeKind.PromoteLearner or MembershipChangeKind.Remove)
        {
            _demoted.Remove(change.Change.Node);
        }
    }

    private void DecommissionRemoved()
    {
        foreach (var id in _toDecommission)
        {
            var node = NodeById(id);
            if (node is null || node.Life == NodeLife.Decommissioned) continue;
            node.Decommission(Clients);
            Log($"decommission {id}");
        }
        _toDecommission.Clear();
    }

    public void Log(string line)
    {
        if (_faultLog.Count == FaultLogLinesMax) _faultLog.Dequeue();
        _faultLog.Enqueue($"t={Now} {line}");
    }
}

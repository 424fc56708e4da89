using System.Diagnostics.CodeAnalysis;
using Cairn.Consensus;

namespace Cairn.Simulation;

/// <summary>
/// The Raft safety properties, checked after every step of every node against global maps that outlive crashes:
/// election safety (one leader per term), log matching on committed prefixes (no node ever holds or persists another
/// entry at a committed index), leader completeness (a new leader holds every entry committed so far), state machine
/// safety (every node applies the same entry at each index; equal snapshots at equal indexes), commit never
/// decreasing (across restarts: never below what was persisted), applied ≤ commit, terms never decreasing.
/// Any breach throws <see cref="SimulationViolation"/>.
/// </summary>
internal sealed partial class SafetyChecker(Cluster cluster)
{
    private readonly Dictionary<Term, NodeId> _leaderOfTerm = [];
    private readonly List<Term> _committedTerm = [Term.Zero];          // by index; Zero = not known committed yet
    private readonly List<(Term Term, ulong Hash)> _appliedEntry = [default]; // by index
    private readonly Dictionary<LogIndex, ulong> _snapshotHash = [];

    /// <summary>Highest index known committed anywhere.</summary>
    public LogIndex MaxCommitted { get; private set; }

    /// <summary>Distinct (term, leader) pairs seen: elections won.</summary>
    public int LeadersElected => _leaderOfTerm.Count;

    /// <summary>Cheap checks after any call into a node (Step, Tick, Propose, ReadIndex, ...).</summary>
    public void AfterStep(SimNode node)
    {
        if (!node.IsUp) return;
        var raft = node.UpRaft;
        if (raft.Term < node.CheckedTerm) Fail($"{node.Id} term went back from {node.CheckedTerm} to {raft.Term}");
        node.CheckedTerm = raft.Term;
        if (node.CheckedRecovering && !raft.Recovering) CheckRecoveryEnded(node);
        node.CheckedRecovering = raft.Recovering;
        if (raft.Role != RaftRole.Leader) return;
        if (_leaderOfTerm.TryGetValue(raft.Term, out var other))
        {
            if (other != node.Id) Fail($"two leaders in term {raft.Term}: {other} and {node.Id}");
            return;
        }
        _leaderOfTerm[raft.Term] = node.Id;
        cluster.OnLeaderElected(node);
        CheckLeaderCompleteness(node);
    }

    /// <summary>A new leader must hold every entry committed so far, with the same term.</summary>
    private void CheckLeaderCompleteness(SimNode node)
    {
        var raft = node.UpRaft;
        var first = raft.Status.FirstIndex;
        for (var i = first.Value; i <= MaxCommitted.Value; i++)
        {
            var term = raft.LogTermAt(new LogIndex(i));
            if (term is null) Fail($"leader {node.Id} of term {raft.Term} lacks committed entry {i} (its log ends at {raft.LogLastIndex})");
            var committed = _committedTerm[(int)i];
            if (!committed.Equals(Term.Zero) && term.Value != committed)
                Fail($"leader {node.Id} of term {raft.Term} holds term {term} at committed index {i} (committed term {committed})");
        }
    }

    /// <summary>
    /// A node never persists, at an index it counts as committed, an entry other than the one committed there anywhere
    /// (a node outside the committing majority may hold a conflicting entry past its own commit: it gets overwritten).
    /// Nor does it install a snapshot that contradicts a committed entry.
    /// </summary>
    public void BeforePersist(SimNode node, Ready ready)
    {
        var ownCommit = LogIndex.Max(node.CheckedCommit, ready.HardState?.Commit ?? LogIndex.Zero);
        foreach (var e in ready.EntriesToPersist)
        {
            if (e.Index > MaxCommitted || e.Index > ownCommit) break;
            var committed = _committedTerm[(int)e.Index.Value];
            if (!committed.Equals(Term.Zero) && committed != e.Term)
                Fail($"{node.Id} persists an entry of term {e.Term} at {e.Index}, which it counts as committed, but term {committed} committed there");
        }
        if (ready.Snapshot is { } s && s.Meta.Index <= MaxCommitted)
        {
            var committed = _committedTerm[(int)s.Meta.Index.Value];
            if (!committed.Equals(Term.Zero) && committed != s.Meta.Term)
                Fail($"{node.Id} installs a snapshot at {s.Meta.Index} of term {s.Meta.Term}, but term {committed} committed there");
        }
    }

    /// <summary>After a Ready cycle: commit monotonic and consistent with every other node's, applied ≤ commit, KvStore in step.</summary>
    public void AfterReady(SimNode node)
    {
        AfterStep(node);
        if (!node.IsUp) return;
        var raft = node.UpRaft;
        var status = raft.Status;
        if (status.Commit < node.CheckedCommit) Fail($"{node.Id} commit went back from {node.CheckedCommit} to {status.Commit}");
        if (status.Applied > status.Commit) Fail($"{node.Id} applied {status.Applied} > commit {status.Commit}");
        if (status.Applied != node.Applied) Fail($"{node.Id} core says applied {status.Applied}, the driver applied {node.Applied}");
        if (node.Kv!.AppliedRevision != (long)node.Applied.Value) Fail($"{node.Id} KvStore at {node.Kv.AppliedRevision}, applied {node.Applied}");
        RecordCommitted(node, node.CheckedCommit, status.Commit);
        node.CheckedCommit = status.Commit;
    }

    /// <summary>Every entry the node now counts as committed in (from, to] must agree with what any node committed there.</summary>
    private void RecordCommitted(SimNode node, LogIndex from, LogIndex to)
    {
        var raft = node.UpRaft;
        for (var i = from.Value + 1; i <= to.Value; i++)
        {
            var term = raft.LogTermAt(new LogIndex(i));
            if (term is null) continue; // below this node's snapshot: covered by the snapshot's own check
            while (_committedTerm.Count <= (int)i) _committedTerm.Add(Term.Zero);
            var known = _committedTerm[(int)i];
            if (known.Equals(Term.Zero)) _committedTerm[(int)i] = term.Value;
            else if (known != term.Value) Fail($"{node.Id} committed term {term} at index {i}, but term {known} was committed there");
            if (new LogIndex(i) > MaxCommitted) MaxCommitted = new LogIndex(i);
        }
    }

    /// <summary>Every node applies the same entry (term and payload) at each index, in order, each index once.</summary>
    public void OnApply(SimNode node, Entry entry)
    {
        if (entry.Index != node.Applied.Next) Fail($"{node.Id} applies {entry.Index} after {node.Applied}");
        var i = (int)entry.Index.Value;
        var hash = TraceHash.Of(entry.Data.Span) ^ ((ulong)entry.Kind << 56);
        while (_appliedEntry.Count <= i) _appliedEntry.Add(default);
        var known = _appliedEntry[i];
        if (known.Term.Equals(Term.Zero)) _appliedEntry[i] = (entry.Term, hash);
        else if (known.Term != entry.Term || known.Hash != hash)
            Fail($"{node.Id} applies {entry} at {entry.Index}, but another node applied an entry of term {known.Term} (hash {known.Hash:x16}) there");
        if (i < _committedTerm.Count && !_committedTerm[i].Equals(Term.Zero) && _committedTerm[i] != entry.Term)
            Fail($"{node.Id} applies term {entry.Term} at {entry.Index}, but term {_committedTerm[i]} committed there");
    }

    /// <summary>State machine safety through snapshots: the canonical encodings at one index are byte-identical everywhere.</summary>
    public void OnSnapshotCreated(SimNode node, LogIndex index, ReadOnlySpan<byte> data) => CheckSnapshot(node, index, data, "created");

    public void OnSnapshotInstall(SimNode node, Snapshot snapshot)
    {
        if (snapshot.Meta.Index <= node.Applied) Fail($"{node.Id} installs snapshot {snapshot.Meta.Index} at applied {node.Applied}");
        CheckSnapshot(node, snapshot.Meta.Index, snapshot.Data.Span, "installed");
    }

    private void CheckSnapshot(SimNode node, LogIndex index, ReadOnlySpan<byte> data, string how)
    {
        var hash = TraceHash.Of(data);
        if (!_snapshotHash.TryAdd(index, hash) && _snapshotHash[index] != hash)
            Fail($"{node.Id} {how} a snapshot at {index} whose state differs from another node's snapshot at that index");
    }

    /// <summary>
    /// What FileStorage checks at open: the durable commit index never points past what the disk holds (else the real
    /// node refuses to start; here it means a sync ordering let the commit reach the disk before the entries).
    /// </summary>
    public void BeforeStart(SimNode node, HardState? persisted)
    {
        var held = LogIndex.Max(node.LogStore.LastIndex, node.SnapshotStore.LatestMeta?.Index ?? LogIndex.Zero);
        if (persisted is { } hard && hard.Commit > held)
            Fail($"{node.Id} restarts with a durable commit {hard.Commit} past what its disk holds ({held}): the real storage would refuse to open");
    }

    /// <summary>A (re)started node never forgets what it persisted: its commit and term start at least there.</summary>
    public void OnStart(SimNode node, HardState? persisted)
    {
        var status = node.UpRaft.Status;
        if (persisted is { } hard)
        {
            if (status.Commit < hard.Commit) Fail($"{node.Id} restarted with commit {status.Commit} below its persisted {hard.Commit}");
            if (status.Term < hard.Term) Fail($"{node.Id} restarted in term {status.Term} below its persisted {hard.Term}");
        }
        node.CheckedTerm = status.Term;
        node.CheckedRecovering = node.UpRaft.Recovering;
        // Its whole committed prefix must still agree with the cluster's.
        RecordCommitted(node, LogIndex.Max(status.FirstIndex, LogIndex.Zero.Next).Prev, status.Commit);
        node.CheckedCommit = status.Commit;
    }

    /// <summary>
    /// Log matching over the persisted logs of every node that has one: where two logs hold the same term at an index,
    /// they agree on every earlier index both hold; and no log holds another term at an index committed anywhere,
    /// up to the commit index that node persisted (past it a lagging log may still hold entries to be overwritten).
    /// </summary>
    public void CheckPersistedLogs(IReadOnlyList<SimNode> nodes)
    {
        foreach (var node in nodes)
        {
            var log = node.LogStore;
            var persistedCommit = node.StableStore.Load()?.HardState.Commit ?? LogIndex.Zero;
            var last = LogIndex.Min(LogIndex.Min(log.LastIndex, MaxCommitted), persistedCommit);
            for (var i = log.FirstIndex; i <= last; i = i.Next)
            {
                var committed = _committedTerm[(int)i.Value];
                if (!committed.Equals(Term.Zero) && log.TermAt(i) != committed)
                    Fail($"{node.Id} holds term {log.TermAt(i)} at committed index {i} (committed term {committed})");
            }
        }
        for (var a = 0; a < nodes.Count; a++)
        {
            for (var b = a + 1; b < nodes.Count; b++) CheckLogMatching(nodes[a], nodes[b]);
        }
    }

    private void CheckLogMatching(SimNode a, SimNode b)
    {
        var lo = LogIndex.Max(a.LogStore.BaseIndex, b.LogStore.BaseIndex);
        var hi = LogIndex.Min(a.LogStore.LastIndex, b.LogStore.LastIndex);
        var matched = false;
        for (var i = hi; i > lo; i = i.Prev)
        {
            var same = a.LogStore.TermAt(i) == b.LogStore.TermAt(i);
            if (matched && !same) Fail($"log matching: {a.Id} and {b.Id} agree at a later index but differ at {i}");
            matched |= same;
        }
    }

    [DoesNotReturn]
    private void Fail(string message) => throw new SimulationViolation(ViolationKind.Safety, $"t={cluster.Now}: {message}");
}

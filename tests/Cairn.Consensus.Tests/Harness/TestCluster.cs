using System.Text;
using Cairn.Consensus;

namespace Cairn.Consensus.Tests.Harness;

/// <summary>
/// A deterministic in-test network: messages are delivered in the order they were sent (one FIFO queue), links can
/// be cut one way or both, nodes can be isolated, partitioned, crashed and restarted. Time passes only with
/// <see cref="Tick"/>. Observers record safety violations (two leaders in a term, different entries applied at one
/// index, an applied entry later lost) in <see cref="Violations"/> instead of throwing, so teeth tests can look for them.
/// </summary>
internal sealed class TestCluster
{
    private readonly List<Message> _queue = [];
    private readonly HashSet<(ulong From, ulong To)> _cut = [];
    private readonly Dictionary<ulong, ulong> _leaderByTerm = [];
    private readonly SortedDictionary<ulong, Entry> _appliedAnywhere = [];

    private TestCluster() { }

    public SortedDictionary<ulong, TestNode> Nodes { get; } = [];
    public List<string> Violations { get; } = [];

    /// <summary>Every message delivered, in order (for assertions about what was sent).</summary>
    public List<Message> Delivered { get; } = [];

    /// <summary>Drops a message when it returns true (in addition to cut links).</summary>
    public Func<Message, bool>? DropIf { get; set; }

    /// <summary>Reorders (and may duplicate) each batch of messages in flight; null keeps send order.</summary>
    public Func<IReadOnlyList<Message>, IEnumerable<Message>>? Reorder { get; set; }

    /// <summary>Rewrites a message in flight (return null to drop it); applied after <see cref="DropIf"/>.</summary>
    public Func<Message, Message?>? Intercept { get; set; }

    /// <summary>
    /// When set, an <see cref="InvariantViolationException"/> inside a node is recorded as a violation and the node
    /// is crashed, instead of failing the test at once (teeth tests use this to see what a broken rule leads to).
    /// </summary>
    public bool CaptureInvariantFailures { get; set; }

    public static RaftConfig DefaultConfig(ulong id, int seed = 1) => new()
    {
        Id = new NodeId(id),
        ElectionTicks = 10,
        HeartbeatTicks = 1,
        Random = new Random(seed * 7919 + (int)id),
    };

    /// <summary>A cluster of voters 1..voters (and learners after them), all bootstrapped with the same configuration.</summary>
    public static TestCluster Start(int voters, int learners = 0, Func<RaftConfig, RaftConfig>? tweak = null, int seed = 1)
    {
        var cluster = new TestCluster();
        var membership = new Membership(
            Enumerable.Range(1, voters).Select(i => new NodeId((ulong)i)),
            Enumerable.Range(voters + 1, learners).Select(i => new NodeId((ulong)i)));
        for (var i = 1; i <= voters + learners; i++)
        {
            var id = (ulong)i;
            cluster.Nodes[id] = new TestNode(id, () => (tweak ?? (c => c))(DefaultConfig(id, seed) with { Bootstrap = membership }));
        }
        cluster.Stabilize();
        return cluster;
    }

    /// <summary>Adds a node that joins an existing cluster (empty configuration; it learns the real one from the leader).</summary>
    public TestNode AddJoiningNode(ulong id, Func<RaftConfig, RaftConfig>? tweak = null)
    {
        var node = new TestNode(id, () => (tweak ?? (c => c))(DefaultConfig(id)));
        Nodes[id] = node;
        Stabilize();
        return node;
    }

    public TestNode this[ulong id] => Nodes[id];

    public TestNode? Leader => Nodes.Values.Where(n => n.Up && n.Raft.Role == RaftRole.Leader).MaxBy(n => n.Raft.Term.Value);

    public IEnumerable<TestNode> Up => Nodes.Values.Where(n => n.Up);

    /// <summary>Processes every Ready and delivers every message until nothing moves (no time passes).</summary>
    public void Stabilize(int roundsMax = 10_000)
    {
        if (CaptureInvariantFailures) roundsMax = Math.Min(roundsMax, 500);
        for (var round = 0; round < roundsMax; round++)
        {
            var moved = false;
            foreach (var node in Nodes.Values)
            {
                while (node.Up && node.Raft.HasReady)
                {
                    Guard(node, () => _queue.AddRange(node.ProcessReady(Violations.Add)));
                    Observe(node);
                    moved = true;
                }
            }
            if (_queue.Count > 0)
            {
                IEnumerable<Message> batch = _queue.ToArray();
                if (Reorder is not null) batch = Reorder(_queue.ToArray()).ToArray();
                _queue.Clear();
                foreach (var m in batch) Deliver(m);
                moved = true;
            }
            if (!moved) return;
        }
        if (CaptureInvariantFailures)
        {
            // Broken safety can leave replicas that never converge; record it and stop moving.
            Violations.Add("the cluster did not settle (livelock)");
            _queue.Clear();
            return;
        }
        throw new InvalidOperationException("the cluster did not settle; last messages:\n" +
            string.Join("\n", Delivered.TakeLast(12)) + "\n" + Describe());
    }

    /// <summary>Advances every running node by <paramref name="ticks"/> ticks, settling the network after each.</summary>
    public void Tick(int ticks = 1)
    {
        for (var i = 0; i < ticks; i++)
        {
            foreach (var node in Up.ToList())
            {
                Guard(node, node.Raft.Tick);
                Observe(node);
            }
            Stabilize();
        }
    }

    /// <summary>Ticks until <paramref name="done"/> holds, failing after <paramref name="ticksMax"/> ticks.</summary>
    public void TickUntil(Func<bool> done, int ticksMax = 500, string? what = null)
    {
        for (var i = 0; i < ticksMax; i++)
        {
            if (done()) return;
            Tick();
        }
        if (!done()) throw new Xunit.Sdk.XunitException($"not reached within {ticksMax} ticks: {what ?? "condition"}\n{Describe()}");
    }

    /// <summary>Makes <paramref name="id"/> campaign (a few times at most: a term may already be taken) until it leads.</summary>
    public TestNode ElectLeader(ulong id)
    {
        for (var attempt = 0; attempt < 5 && Nodes[id].Raft.Role != RaftRole.Leader; attempt++)
        {
            Guard(Nodes[id], Nodes[id].Raft.Campaign);
            Observe(Nodes[id]);
            Stabilize();
        }
        Assert.Equal(RaftRole.Leader, Nodes[id].Raft.Role);
        return Nodes[id];
    }

    /// <summary>Waits for any leader to emerge (randomized timeouts) and returns it.</summary>
    public TestNode WaitForLeader(int ticksMax = 500)
    {
        TickUntil(() => Leader is not null && Up.Count(n => n.Raft.Leader == Leader.Id) >= Up.Count(n => n.Raft.Membership.IsVoter(n.Id)) / 2 + 1,
            ticksMax, "a leader known by a majority");
        return Leader!;
    }

    public ProposeResult Propose(ulong id, params string[] commands)
    {
        var result = Nodes[id].Raft.Propose(commands.Select(c => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(c)).ToArray());
        Stabilize();
        return result;
    }

    public void Cut(ulong from, ulong to) => _cut.Add((from, to));

    public void CutBoth(ulong a, ulong b)
    {
        Cut(a, b);
        Cut(b, a);
    }

    public void Isolate(ulong id)
    {
        foreach (var other in Nodes.Keys.Where(k => k != id)) CutBoth(id, other);
    }

    /// <summary>Only nodes in the same group can talk.</summary>
    public void Partition(params ulong[][] groups)
    {
        Heal();
        foreach (var a in Nodes.Keys)
        foreach (var b in Nodes.Keys)
        {
            if (a != b && !groups.Any(g => g.Contains(a) && g.Contains(b))) Cut(a, b);
        }
    }

    public void Heal() => _cut.Clear();

    public void Crash(ulong id) => Nodes[id].Crash();

    public void Restart(ulong id)
    {
        Nodes[id].Restart();
        Stabilize();
    }

    /// <summary>Messages sent but not yet delivered (only non-empty while a test steps the network by hand).</summary>
    public IReadOnlyList<Message> InFlight => _queue;

    private void Deliver(Message m)
    {
        var target = Nodes.GetValueOrDefault(m.To.Value);
        if (target is null || !target.Up || _cut.Contains((m.From.Value, m.To.Value)) || (DropIf?.Invoke(m) ?? false)) return;
        if (Intercept is not null)
        {
            var rewritten = Intercept(m);
            if (rewritten is null) return;
            m = rewritten;
        }
        Delivered.Add(m);
        Guard(target, () => target.Raft.Step(m));
        Observe(target);
    }

    private void Guard(TestNode node, Action action)
    {
        try
        {
            action();
        }
        catch (InvariantViolationException e) when (CaptureInvariantFailures)
        {
            Violations.Add($"{node.Id} failed an invariant: {e.Message}");
            node.Crash();
        }
    }

    /// <summary>Safety observers: election safety, state machine safety (same entry at every applied index).</summary>
    private void Observe(TestNode node)
    {
        if (node.Raft.Role == RaftRole.Leader)
        {
            var term = node.Raft.Term.Value;
            if (_leaderByTerm.TryGetValue(term, out var other) && other != node.Id.Value)
                Violations.Add($"two leaders in term {term}: n{other} and {node.Id}");
            _leaderByTerm[term] = node.Id.Value;
        }
        if (node.Raft.Role == RaftRole.Leader && _completenessChecked.GetValueOrDefault(node.Id.Value) != node.Raft.Term.Value)
        {
            // Leader completeness: a new leader's log holds every entry applied anywhere so far.
            _completenessChecked[node.Id.Value] = node.Raft.Term.Value;
            foreach (var (index, entry) in _appliedAnywhere)
            {
                if (index > node.Raft.LogLastIndex.Value || node.Raft.LogTermAt(new LogIndex(index)) is not { } t)
                {
                    if (index > node.Raft.LogLastIndex.Value) Violations.Add($"leader completeness: {node.Id} (term {node.Raft.Term}) lacks applied entry {entry}");
                    continue;
                }
                if (t != entry.Term) Violations.Add($"leader completeness: {node.Id} (term {node.Raft.Term}) has term {t} at {index}, applied was {entry}");
            }
        }
        foreach (var (index, entry) in node.AppliedHistory.Reverse())
        {
            if (index <= _checkedUpTo.GetValueOrDefault(node.Id.Value)) break;
            if (_appliedAnywhere.TryGetValue(index, out var seen) && !TestNode.SameEntry(seen, entry))
                Violations.Add($"state machine safety: {node.Id} applied {entry} at {index}, another node applied {seen}");
            _appliedAnywhere.TryAdd(index, entry);
        }
        if (node.AppliedHistory.Count > 0) _checkedUpTo[node.Id.Value] = node.AppliedHistory.Keys.Last();
    }

    private readonly Dictionary<ulong, ulong> _checkedUpTo = [];
    private readonly Dictionary<ulong, ulong> _completenessChecked = [];

    public string Describe() => string.Join("\n", Nodes.Values.Select(n => (n.Up ? "" : "[down] ") + n + " last=" + n.Raft.Status.LastIndex
        + " first=" + n.Raft.Status.FirstIndex + " snap=" + n.Raft.Status.SnapshotIndex + " " + n.Raft.Membership
        + string.Concat(n.Raft.Status.Progress.Select(p => $"\n    {p}"))));

    public void AssertSafe() => Assert.True(Violations.Count == 0, string.Join("\n", Violations));
}

using Cairn.Consensus;

namespace Cairn.Simulation;

/// <summary>Every fault the nemesis injects, counted per run.</summary>
internal enum FaultKind
{
    IsolateNode,
    IsolateLeader,
    MajorityMinoritySplit,
    OneWayCut,
    Bridge,
    Heal,
    Crash,
    CrashLeader,
    CrashInPersist,
    PowerLossInFsync,
    AmnesicMajority,
    Restart,
    AddLearner,
    AddVoter,
    PromoteLearner,
    RemoveVoter,
    RemoveLearner,
    TransferLeadership,
    StrikeNewLeader,
    LossBurst,
    DuplicateBurst,
    SlowBurst,
    CalmNetwork,
}

/// <summary>
/// The seeded fault scheduler of the safety phase: partitions of every shape (healed after a while), crashes (process
/// crashes, power losses — some in the middle of a Ready or of an fsync — or amnesia in memory) and restarts,
/// membership changes and leadership transfers, loss/duplication/slow bursts.
/// All choices come from the run's RNG, so the seed replays the same faults at the same ticks.
/// </summary>
internal sealed partial class Nemesis(Cluster cluster, Random rng)
{
    private long _nextActionAt = 20;
    private long _healAt = long.MaxValue;
    private long _calmAt = long.MaxValue;

    // A freshly elected leader to strike (crash or isolate) a few ticks into its term, while it reconciles logs.
    private (NodeId Leader, Term Term, long At) _strike;

    /// <summary>False outside the safety phase.</summary>
    public bool Active { get; private set; } = true;

    public long[] Counts { get; } = new long[Enum.GetValues<FaultKind>().Length];

    public long Total => Counts.Sum();

    /// <summary>Called once per tick of the safety phase.</summary>
    public void Tick()
    {
        var now = cluster.Now;
        if (now >= _healAt) Heal();
        if (now >= _calmAt) Calm();
        RestartDue(now);
        MaybeWipeMajority();
        if (_strike.At != 0 && now >= _strike.At) Strike();
        if (now < _nextActionAt) return;
        _nextActionAt = now + rng.Next(cluster.Options.NemesisIntervalTicks / 2, (cluster.Options.NemesisIntervalTicks * 3 / 2) + 1);
        var roll = rng.Next(100);
        if (roll < 30) Partition();
        else if (roll < 45) CrashSomething();
        else if (roll < 62) ChangeMembership();
        else if (roll < 72) Transfer();
        else if (roll < 90) Burst();
        else if (roll < 95) Heal();
        else Calm();
    }

    /// <summary>End of the safety phase: heal every partition, calm the network, restart every crashed node.</summary>
    public void HealAll()
    {
        Active = false;
        _strike = default;
        Heal();
        Calm();
        _nextActionAt = _healAt = _calmAt = long.MaxValue;
        foreach (var node in cluster.Nodes)
        {
            node.CrashInNextPersist = false;
            if (node.Life == NodeLife.Crashed) cluster.RestartNode(node);
        }
    }

    /// <summary>
    /// Some new leaders lose power a few message delays into their term: the window in which a leader reconciles
    /// followers' logs and commits its first entries, where the subtle Raft bugs live (Figure 8).
    /// </summary>
    public void OnLeaderElected(SimNode leader)
    {
        if (!Active || _strike.At != 0 || rng.Next(100) >= cluster.Options.LeaderStrikePercent) return;
        _strike = (leader.Id, leader.UpRaft.Term, cluster.Now + rng.Next(1, (3 * cluster.Options.DelayMaxTicks) + 2));
    }

    private void Heal()
    {
        _healAt = long.MaxValue;
        if (!cluster.Network.IsPartitioned) return;
        cluster.Network.Heal();
        Record(FaultKind.Heal, "heal partitions");
    }

    private void Calm()
    {
        _calmAt = long.MaxValue;
        var net = cluster.Network;
        if (net.LossRate == net.BaseLossRate && net.DuplicateRate == net.BaseDuplicateRate && net.DelayMaxTicks == net.BaseDelayMaxTicks) return;
        net.RestoreBaseRates();
        Record(FaultKind.CalmNetwork, "network back to calm rates");
    }

    private void ChangeMembership()
    {
        var leader = cluster.CurrentLeader();
        if (leader is null || leader.IsSyncing || !cluster.MembershipChangeAllowed()) return;
        var raft = leader.UpRaft;
        var membership = raft.Membership;
        var spare = cluster.Nodes.FirstOrDefault(n => n.Life == NodeLife.NotStarted);
        var learner = membership.Learners.Count > 0 ? membership.Learners[rng.Next(membership.Learners.Count)] : NodeId.None;
        var roll = rng.Next(100);
        if (!learner.IsNone && roll < 50)
        {
            var kind = roll < 40 ? MembershipChangeKind.PromoteLearner : MembershipChangeKind.Remove;
            if (kind == MembershipChangeKind.PromoteLearner && !cluster.AmnesicMinorityWith([.. membership.Voters, learner], NodeId.None)) return;
            if (Propose(raft, kind, learner)) Record(kind == MembershipChangeKind.Remove ? FaultKind.RemoveLearner : FaultKind.PromoteLearner, $"{kind} {learner} via {leader.Id}");
            return;
        }
        if (spare is not null && membership.Voters.Count < 5 && learner.IsNone && roll < 75)
        {
            // Mostly the careful way (learner, then promote); sometimes an empty node straight in as a voter.
            var asVoter = roll < 19;
            if (!Propose(raft, asVoter ? MembershipChangeKind.AddVoter : MembershipChangeKind.AddLearner, spare.Id)) return;
            cluster.StartJoiningNode(spare);
            Record(asVoter ? FaultKind.AddVoter : FaultKind.AddLearner, $"add {(asVoter ? "voter" : "learner")} {spare.Id} via {leader.Id}");
            return;
        }
        if (membership.Voters.Count > 3)
        {
            var victim = membership.Voters[rng.Next(membership.Voters.Count)];
            // Removing a voter must not leave the amnesic ones a majority (a cluster that can no longer elect a leader).
            if (!cluster.AmnesicMinorityWith([.. membership.Voters.Where(v => v != victim)], NodeId.None)) return;
            if (Propose(raft, MembershipChangeKind.Remove, victim)) Record(FaultKind.RemoveVoter, $"remove voter {victim} via {leader.Id}");
        }
    }

    private bool Propose(RaftNode raft, MembershipChangeKind kind, NodeId node)
    {
        var accepted = raft.ProposeMembershipChange(new MembershipChange(kind, node)).Accepted;
        cluster.Checker.AfterStep(cluster.NodeById(raft.Id)!);
        return accepted;
    }

    private void Transfer()
    {
        var leader = cluster.CurrentLeader();
        if (leader is null || leader.IsSyncing) return;
        var voters = leader.UpRaft.Membership.Voters.Where(v => v != leader.Id).ToArray();
        if (voters.Length == 0) return;
        var target = voters[rng.Next(voters.Length)];
        var started = leader.UpRaft.TransferLeadership(target) == TransferLeadershipResult.Started;
        cluster.Checker.AfterStep(leader);
        if (!started) return;
        cluster.PendingTransfer = (target, cluster.Now + (2 * cluster.Options.ElectionTicks));
        Record(FaultKind.TransferLeadership, $"transfer leadership {leader.Id} -> {target}");
    }

    private void Burst()
    {
        var net = cluster.Network;
        _calmAt = cluster.Now + rng.Next(20, 150);
        switch (rng.Next(cluster.Options.SlowBursts ? 3 : 2))
        {
            case 0:
                net.LossRate = 0.1 + (rng.Next(4) * 0.1);
                Record(FaultKind.LossBurst, $"loss burst {net.LossRate:F1}");
                break;
            case 1:
                net.DuplicateRate = 0.1 + (rng.Next(3) * 0.1);
                Record(FaultKind.DuplicateBurst, $"duplication burst {net.DuplicateRate:F1}");
                break;
            default:
                net.DelayMaxTicks = rng.Next(cluster.Options.ElectionTicks / 2, (cluster.Options.ElectionTicks * 2) + 1);
                Record(FaultKind.SlowBurst, $"slow burst, delays up to {net.DelayMaxTicks} ticks");
                break;
        }
    }

    public void Count(FaultKind kind)
    {
        Counts[(int)kind]++;
        cluster.Trace.Add(30, (ulong)kind);
    }

    private void Record(FaultKind kind, string what)
    {
        Count(kind);
        cluster.Log(what);
    }
}

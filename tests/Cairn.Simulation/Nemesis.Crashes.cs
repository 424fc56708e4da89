using Cairn.Consensus;

namespace Cairn.Simulation;

internal sealed partial class Nemesis
{
    // AmnesicMajority runs: when the nemesis wipes a majority of the voters at once (0 once done).
    private long _amnesicMajorityAt = -1;

    /// <summary>
    /// What a crash does to the disk in this run: in-memory nodes lose everything; durable ones lose unsynced writes on a
    /// power loss (<see cref="SimOptions.PowerLossPercent"/>) and nothing on a process crash.
    /// </summary>
    public CrashKind NextCrashKind() =>
        cluster.Options.Storage == StorageMode.InMemory ? CrashKind.Amnesia
        : rng.Next(100) < cluster.Options.PowerLossPercent ? CrashKind.PowerLoss
        : CrashKind.Process;

    private bool Durable => cluster.Options.Storage == StorageMode.Durable;

    private void Strike()
    {
        var (id, term, _) = _strike;
        _strike = default;
        if (cluster.NodeById(id) is not { IsUp: true } node || node.UpRaft.Role != RaftRole.Leader || node.UpRaft.Term != term) return;
        Count(FaultKind.StrikeNewLeader);
        if (rng.Next(2) == 0 && MayCrash(node))
        {
            cluster.CrashNode(node, $"strike the new leader of term {term}", NextCrashKind());
            return;
        }
        cluster.Network.Heal();
        _healAt = cluster.Now + rng.Next(30, 150);
        cluster.Network.Isolate(id, cluster.LiveOrCrashedIds());
        cluster.Log($"strike the new leader of term {term}: isolate {id}");
    }

    private void RestartDue(long now)
    {
        foreach (var node in cluster.Nodes)
        {
            if (node.Life == NodeLife.Crashed && now >= node.RestartAt) cluster.RestartNode(node);
        }
    }

    /// <summary>
    /// Crashes the leader or a random node (durable runs: also a crash in the middle of a persist, or a power loss of a
    /// node waiting for its fsync). Durable runs mostly keep at most a minority down; in-memory runs strictly keep the
    /// amnesic voters (down, probing, or not caught up) a minority.
    /// </summary>
    private void CrashSomething()
    {
        var up = cluster.Nodes.Where(n => n.IsUp).ToList();
        var voters = cluster.CurrentVoters().Count;
        var down = cluster.Nodes.Count(n => n.Life is NodeLife.Crashed or NodeLife.Probing);
        if (up.Count == 0 || (Durable && down >= Math.Max(1, (voters - 1) / 2) && rng.Next(4) != 0)) return;
        var leader = cluster.CurrentLeader();
        var roll = rng.Next(Durable ? 4 : 2);
        if (roll == 0 && leader is not null)
        {
            if (!MayCrash(leader)) return;
            cluster.CrashNode(leader, "crash the leader", NextCrashKind());
            Count(FaultKind.CrashLeader);
            return;
        }
        if (roll == 1 && Durable)
        {
            var target = up[rng.Next(up.Count)];
            target.CrashInNextPersist = true;
            Record(FaultKind.CrashInPersist, $"{target.Id} will crash while persisting its next Ready");
            return;
        }
        var syncing = up.Where(n => n.IsSyncing).ToList();
        if (roll == 2 && syncing.Count > 0)
        {
            cluster.CrashNode(syncing[rng.Next(syncing.Count)], "power loss while waiting for an fsync", CrashKind.PowerLoss);
            Count(FaultKind.PowerLossInFsync);
            return;
        }
        var node = up[rng.Next(up.Count)];
        if (!MayCrash(node)) return;
        cluster.CrashNode(node, "crash", NextCrashKind());
        Count(FaultKind.Crash);
    }

    /// <summary>
    /// In-memory runs: crashing this node must leave the amnesic voters a minority (it will come back empty), and (unless
    /// <see cref="SimMode.AmnesiaDuringMembershipChange"/>) no membership change may be in flight (see DESIGN.md).
    /// </summary>
    private bool MayCrash(SimNode node) =>
        Durable || node.Amnesic || (cluster.AmnesicMinorityWith(cluster.CurrentVoters(), node.Id) && cluster.AmnesiaAllowedByMembership());

    /// <summary>
    /// AmnesicMajority runs: once, a third to two thirds into the safety phase, a majority of the voters lose their state at
    /// the same tick, keeping at least one running voter that holds the data; AmnesicAll runs: every running node does.
    /// </summary>
    private void MaybeWipeMajority()
    {
        if (!cluster.Options.AmnesicMajority || _amnesicMajorityAt == 0) return;
        if (_amnesicMajorityAt < 0) _amnesicMajorityAt = rng.Next(cluster.Options.SafetyTicks / 3, (cluster.Options.SafetyTicks * 2 / 3) + 1);
        if (cluster.Now < _amnesicMajorityAt) return;
        _amnesicMajorityAt = 0;
        var voters = cluster.CurrentVoters();
        List<NodeId> victims;
        if (cluster.Options.Mode.HasFlag(SimMode.AmnesicAll))
        {
            victims = [.. cluster.Nodes.Where(n => n.IsUp).Select(n => n.Id)];
        }
        else
        {
            // Enough voters that the rest cannot make a quorum (a majority of an odd count; half of an even one), counting
            // those already amnesic or down, leaving one running voter with data untouched.
            var holders = Shuffle([.. voters.Where(v => cluster.NodeById(v) is { IsUp: true, Amnesic: false })]);
            var already = voters.Count(v => cluster.NodeById(v) is { Amnesic: true } or { Life: not NodeLife.Up });
            var needed = Math.Max(0, LostForNoQuorum(voters.Count) - already);
            victims = [.. holders.Take(Math.Min(needed, holders.Count - 1))];
        }
        Record(FaultKind.AmnesicMajority, $"wipe at once: {string.Join(',', victims)} (voters {string.Join(',', voters)})");
        foreach (var id in victims) cluster.CrashNode(cluster.NodeById(id)!, "amnesic majority", CrashKind.Amnesia);
        cluster.AmnesicMajorityHappened = voters.Count(v => cluster.NodeById(v) is { Amnesic: true } or { Life: not NodeLife.Up }) >= LostForNoQuorum(voters.Count);
    }

    /// <summary>Voters that must be lost before the others cannot form a quorum (voters − quorum + 1).</summary>
    private static int LostForNoQuorum(int voters) => voters - ((voters / 2) + 1) + 1;
}

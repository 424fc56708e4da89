using Cairn.Consensus;
using Cairn.Checking;

namespace Cairn.Simulation;

internal sealed partial class Cluster
{
    /// <summary>Set when the liveness phase converged: the probe's index and the tick it took.</summary>
    public LogIndex ProbeIndex { get; private set; }
    public long ConvergedAfterTicks { get; private set; }

    /// <summary>
    /// Heal everything and restart every crashed node; then, within <see cref="SimOptions.LivenessTicksMax"/>, a leader
    /// must exist, a fresh write must commit and be applied on every member, and every member must reach the same
    /// applied index with the same state hash.
    /// </summary>
    private void RunLiveness()
    {
        Nemesis.HealAll();
        Clients.Issuing = false;
        Log("liveness phase: healed, every crashed node restarted, clients stop issuing");
        var start = Now;
        var deadline = Now + Options.LivenessTicksMax;
        ClientOp? probe = null;
        while (Now < deadline)
        {
            Now++;
            Step(nemesis: false);
            var leader = CurrentLeader();
            if (leader is null) continue;
            if (probe is not { Done: true, Outcome: OpOutcome.Ok })
            {
                if (Clients.ProbeInFlight is null) probe = Clients.StartProbe(leader);
                continue;
            }
            ProbeIndex = probe.ProposedIndex;
            DecommissionOrphans(leader);
            if (!Converged(leader)) continue;
            ConvergedAfterTicks = Now - start;
            CheckEqualStateHashes(leader);
            Checker.CheckPersistedLogs([.. _nodes.Where(n => n.IsUp)]);
            Log($"converged after {ConvergedAfterTicks} ticks at index {leader.Applied}");
            return;
        }
        throw new SimulationViolation(ViolationKind.Liveness,
            $"no convergence within {Options.LivenessTicksMax} ticks after healing (probe {(probe is null ? "never sent" : probe.Outcome.ToString())}, " +
            $"index {ProbeIndex})\n{DescribeNodes()}");
    }

    /// <summary>Every member of the leader's configuration is up and applied exactly what the leader committed, at or past the probe.</summary>
    private bool Converged(SimNode leader)
    {
        var status = leader.UpRaft.Status;
        if (status.Commit != status.LastIndex || leader.Applied != status.Commit || leader.Applied < ProbeIndex) return false;
        foreach (var id in leader.UpRaft.Membership.Members)
        {
            var node = NodeById(id);
            if (node is not { IsUp: true } || node.Applied != leader.Applied) return false;
        }
        return true;
    }

    /// <summary>Nodes outside the final configuration (removed, or added by an entry that never committed) are shut down.</summary>
    private void DecommissionOrphans(SimNode leader)
    {
        foreach (var node in _nodes)
        {
            if (node.IsUp && !leader.UpRaft.Membership.Contains(node.Id))
            {
                node.Decommission(Clients);
                Log($"decommission {node.Id}: not in the final configuration {leader.UpRaft.Membership}");
            }
        }
    }

    private void CheckEqualStateHashes(SimNode leader)
    {
        var expected = leader.Kv!.Current.ComputeStateHash();
        foreach (var id in leader.UpRaft.Membership.Members)
        {
            var node = NodeById(id)!;
            var hash = node.Kv!.Current.ComputeStateHash();
            if (!hash.AsSpan().SequenceEqual(expected))
            {
                throw new SimulationViolation(ViolationKind.Safety,
                    $"t={Now}: {node.Id} and leader {leader.Id} applied up to {leader.Applied} but their state hashes differ");
            }
        }
    }

    public string DescribeNodes() => string.Join('\n', _nodes.Select(n => n.IsUp
        ? $"  {n.Id} up: {n.UpRaft.Status.Role} term {n.UpRaft.Term} leader {n.UpRaft.Leader} commit {n.UpRaft.Status.Commit} applied {n.Applied} " +
          $"last {n.UpRaft.Status.LastIndex} snapshot {n.UpRaft.Status.SnapshotIndex} config {n.UpRaft.Membership}" +
          $"{(n.UpRaft.Recovering ? " RECOVERING" : "")}{(n.Amnesic ? $" amnesic(catch up to {n.CatchUpTo})" : "")}{(n.IsSyncing ? " syncing" : "")}"
        : $"  {n.Id} {n.Life}{(n.Amnesic ? " amnesic" : "")}"));
}

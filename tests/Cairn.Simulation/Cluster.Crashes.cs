namespace Cairn.Simulation;

internal sealed partial class Cluster
{
    /// <summary>Takes a node down; what its disk keeps depends on <paramref name="kind"/>. A power loss checks the driver's promises.</summary>
    public void CrashNode(SimNode node, string why, CrashKind kind)
    {
        var what = node.Crash(Clients, kind, _rng.Next);
        node.RestartAt = Now + _rng.Next(20, 200);
        if (kind == CrashKind.Amnesia) node.CatchUpTo = Checker.MaxCommitted;
        Trace.Add(11, node.Id.Value, (ulong)kind);
        Stats.CrashesByKind[(int)kind]++;
        Log($"{why} ({what}): {node.Id} down until t={node.RestartAt}");
        if (kind == CrashKind.PowerLoss && node.Disk.BrokenPromise() is { } broken)
        {
            throw new SimulationViolation(ViolationKind.Safety,
                $"t={Now}: durability: {node.Id} lost in a power loss what its messages promised was durable: {broken}");
        }
    }

    /// <summary>A crashed node comes back: from its disk, or (in-memory, amnesic) through the real node's start-up probe.</summary>
    public void RestartNode(SimNode node)
    {
        if (node.Amnesic && (IsFoundingNode(node.Id) || Options.RecoveryPath == RecoveryPath.Patient))
        {
            node.BeginProbe(Now);
            node.ProbeRecipients = ProbeRecipients(node);
            Log($"{node.Id} restarts empty and probes its founding peers for data");
            return;
        }
        StartRestarted(node, recovering: false);
    }

    private void StartRestarted(SimNode node, bool recovering)
    {
        // What it must hold before it may vote again: everything committed before this restart.
        if (node.Amnesic) node.CatchUpTo = Checker.MaxCommitted;
        node.Start(MakeConfig(node.Id, IsFoundingNode(node.Id) ? InitialMembership() : null), Checker,
            recovering && !Options.Teeth.Driver.HasFlag(DriverFaults.RecoveringNodeVotes));
        Stats.Restarts++;
        Nemesis.Count(FaultKind.Restart);
        Trace.Add(12, node.Id.Value, recovering ? 1UL : 0UL);
        Log($"restart {node.Id} (incarnation {node.Incarnation}, commit {node.UpRaft.Status.Commit}, snapshot {node.SnapshotStore.LatestMeta?.Index.Value ?? 0}" +
            $"{(node.Amnesic ? $", empty, {(node.UpRaft.Recovering ? "recovering" : "NOT recovering")}" : "")})");
    }

    /// <summary>Founding nodes are started with the bootstrap peer list (<c>--peers</c>); the spares joined later (<c>--join</c>).</summary>
    public bool IsFoundingNode(NodeId id) => (int)id.Value <= Options.InitialVoters;
}

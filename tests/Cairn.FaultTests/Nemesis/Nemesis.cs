using Cairn.FaultTests.Run;
using Cairn.SystemTests.Harness;

namespace Cairn.FaultTests.Nemesis;

/// <summary>
/// The seeded fault scheduler of one run: one fault at a time among the allowed kinds (kill + restart, pause, a
/// partition of some shape, lossy/slow links, a clock-skewed restart), held for a random time, healed, then a random
/// gap; optionally a membership loop alongside (3 ↔ 5 voters) and a supervisor that restarts crashed nodes. Every
/// fault goes to the run's <see cref="FaultLog"/> with its start and end on the history's clock.
/// </summary>
/// <remarks>
/// Driven by one task (plus the membership and supervisor tasks, which touch only their own nodes); every random
/// choice comes from the run's seed. The pacing delays (gap, hold) are the schedule itself, not waits for a condition.
/// Faults touch the founding nodes only: they are the ones with relays and clients.
/// </remarks>
public sealed partial class Nemesis(RunContext run, LeaderMonitor leaders, Random random)
{
    private readonly HashSet<string> _down = [];
    private readonly List<string> _joined = [];
    private readonly HashSet<string> _removed = [];
    private readonly Lock _gate = new();

    private TestCluster Cluster => run.Cluster;

    private IReadOnlyList<string> Founding => run.ClientNodes;

    /// <summary>Injects faults until <paramref name="stop"/> fires, then leaves the current one to <see cref="HealAllAsync"/>.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var kinds = Enum.GetValues<FaultKinds>().Where(k => k != FaultKinds.None && run.Spec.Faults.HasFlag(k)).ToList();
        if (kinds.Count == 0) return;
        while (!stop.IsCancellationRequested)
        {
            var kind = kinds[random.Next(kinds.Count)];
            var hold = Between(run.Spec.FaultHold.Min, run.Spec.FaultHold.Max);
            await (kind switch
            {
                FaultKinds.Kill => KillAsync(hold, stop),
                FaultKinds.Pause => PauseAsync(hold, stop),
                FaultKinds.Partition => PartitionAsync(hold, stop),
                FaultKinds.Degrade => DegradeAsync(hold, stop),
                FaultKinds.Skew => SkewAsync(hold, stop),
                _ => Task.CompletedTask,
            });
            await PaceAsync(Between(run.Spec.FaultGap.Min, run.Spec.FaultGap.Max), stop);
        }
    }

    /// <summary>Heals everything: links, paused and killed nodes; returns when each heal was applied (not when the cluster recovered).</summary>
    public async Task HealAllAsync()
    {
        var record = run.Faults.Begin("heal-all", "*");
        Cluster.HealAll();
        foreach (var from in Founding)
        {
            foreach (var to in Founding.Where(t => t != from)) Cluster.Relay(from, to).Restore();
        }
        foreach (var node in Cluster.Nodes)
        {
            if (node.IsPaused) node.Resume();
            if (!node.IsRunning && !IsRemoved(node.Name)) await node.RestartAsync();
        }
        if (run.Spec.Failpoints is not null) await DisarmFailpointsAsync();
        lock (_gate) _down.Clear();
        run.Faults.End(record);
    }

    private async Task KillAsync(TimeSpan hold, CancellationToken stop)
    {
        var (target, isLeader) = PickTarget(leaderShare: 0.5);
        var node = Cluster[target];
        MarkDown(target, true);
        var record = run.Faults.Begin("kill", target, isLeader ? "leader" : "");
        await node.KillAsync();
        await PaceAsync(hold, stop);
        await node.RestartAsync();
        run.Faults.End(record);
        MarkDown(target, false);
    }

    private async Task PauseAsync(TimeSpan hold, CancellationToken stop)
    {
        var (target, isLeader) = PickTarget(leaderShare: 0.7);
        var node = Cluster[target];
        var record = run.Faults.Begin("pause", target, isLeader ? "leader" : "");
        node.Pause();
        await PaceAsync(hold, stop);
        node.Resume();
        run.Faults.End(record);
    }

    private async Task DegradeAsync(TimeSpan hold, CancellationToken stop)
    {
        var loss = run.Spec.Loss.Min + (random.NextDouble() * (run.Spec.Loss.Max - run.Spec.Loss.Min));
        var delay = Between(run.Spec.Delay.Min, run.Spec.Delay.Max);
        var conditions = new LinkConditions(loss, delay, delay / 4);
        var record = run.Faults.Begin("degrade", "all-links", conditions.ToString());
        foreach (var from in Founding)
        {
            foreach (var to in Founding.Where(t => t != from)) Cluster.Relay(from, to).Degrade(conditions, random.Next());
        }
        await PaceAsync(hold, stop);
        long dropped = 0, passed = 0;
        foreach (var from in Founding)
        {
            foreach (var to in Founding.Where(t => t != from))
            {
                var relay = Cluster.Relay(from, to);
                relay.Restore();
                (dropped, passed) = (dropped + relay.FramesDropped, passed + relay.FramesPassed);
            }
        }
        run.Faults.End(record, $"{conditions}; frames dropped {dropped} of {dropped + passed} so far");
    }

    /// <summary>A running, unpaused founding node: the current leader with probability <paramref name="leaderShare"/>.</summary>
    private (string Name, bool IsLeader) PickTarget(double leaderShare)
    {
        var candidates = Founding.Where(n => Cluster[n].IsRunning && !Cluster[n].IsPaused).ToList();
        var leader = leaders.Leader(TimeSpan.FromSeconds(1));
        if (leader is not null && candidates.Contains(leader) && random.NextDouble() < leaderShare) return (leader, true);
        var pick = candidates.Count > 0 ? candidates[random.Next(candidates.Count)] : Founding[random.Next(Founding.Count)];
        return (pick, pick == leader);
    }

    private TimeSpan Between(TimeSpan min, TimeSpan max) => min + ((max - min) * random.NextDouble());

    private static async Task PaceAsync(TimeSpan span, CancellationToken stop)
    {
        try
        {
            await Task.Delay(span, stop); // the nemesis schedule
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void MarkDown(string name, bool down)
    {
        lock (_gate)
        {
            if (down) _down.Add(name);
            else _down.Remove(name);
        }
    }

    private bool IsDown(string name)
    {
        lock (_gate) return _down.Contains(name);
    }

    private bool IsRemoved(string name)
    {
        lock (_gate) return _removed.Contains(name);
    }
}

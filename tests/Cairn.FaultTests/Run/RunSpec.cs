using System.Globalization;

namespace Cairn.FaultTests.Run;

/// <summary>Which faults a nemesis may schedule.</summary>
[Flags]
public enum FaultKinds
{
    None = 0,
    Kill = 1,
    Pause = 2,
    Partition = 4,
    Degrade = 8,
    Skew = 16,
}

/// <summary>The operation mix of the clients, in percent (the rest are reads).</summary>
public sealed record OpMix(int WritePercent = 35, int CasPercent = 20, int DeletePercent = 5)
{
    public static OpMix Default { get; } = new();
}

/// <summary>
/// One fault run: the cluster, the clients, the nemesis and the phases. Immutable; a scenario builds one from the tier
/// (<see cref="Tier"/>) and its own settings. Every random choice of the run comes from <see cref="Seed"/> (the
/// nemesis, the clients' keys and operations, the link losses); processes and the kernel add their own timing.
/// </summary>
public sealed record RunSpec
{
    public required string Name { get; init; }

    public required int Seed { get; init; }

    public int ClusterSize { get; init; } = 3;

    public int Clients { get; init; } = 12;

    public int Keys { get; init; } = 10;

    public OpMix Mix { get; init; } = OpMix.Default;

    /// <summary>Clients run without faults first (the "before" throughput).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long the nemesis injects faults.</summary>
    public TimeSpan FaultPhase { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>Clients keep running this long after everything is healed (the "after" throughput and the recovery time).</summary>
    public TimeSpan Cooldown { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>False: <see cref="FaultPhase"/> stays as given in the extended tier (teeth runs need no longer phase).</summary>
    public bool ScaleWithTier { get; init; } = true;

    public FaultKinds Faults { get; init; }

    /// <summary>Pause between two faults (uniform in [min, max]).</summary>
    public (TimeSpan Min, TimeSpan Max) FaultGap { get; init; } = (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));

    /// <summary>How long one fault lasts before it is healed (uniform in [min, max]).</summary>
    public (TimeSpan Min, TimeSpan Max) FaultHold { get; init; } = (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4));

    /// <summary>The partition shapes the nemesis picks from (default: all of <see cref="Nemesis.Nemesis.PartitionShapes"/>).</summary>
    public IReadOnlyList<string>? PartitionShapes { get; init; }

    /// <summary>
    /// A scripted fault phase instead of the random nemesis (S9): it gets the run, the leader monitor and the phase's
    /// end, logs its faults in the run's fault log and heals what it broke.
    /// </summary>
    public Func<RunContext, LeaderMonitor, CancellationToken, Task>? Script { get; init; }

    /// <summary>Link loss and delay ranges for <see cref="FaultKinds.Degrade"/>.</summary>
    public (double Min, double Max) Loss { get; init; } = (0.05, 0.30);

    public (TimeSpan Min, TimeSpan Max) Delay { get; init; } = (TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200));

    /// <summary>Add and remove members (3 ↔ 5) alongside the other faults (RELIABILITY S8).</summary>
    public bool Membership { get; init; }

    /// <summary>Restart any node whose process died on its own (failpoint crashes, S10).</summary>
    public bool Supervise { get; init; }

    /// <summary>Server failpoints armed (through the environment) during the fault phase, e.g. "append,apply" (S10); null: none.</summary>
    public string? Failpoints { get; init; }

    /// <summary>
    /// The nodes whose failpoints are armed (default: every founding node but the last, whose change feed then
    /// covers the whole run for the lost-write and duplicate checks).
    /// </summary>
    public IReadOnlyList<string>? FailpointNodes { get; init; }

    /// <summary>Probability of a crash at each pass through an armed failpoint.</summary>
    public double FailpointProbability { get; init; } = 0.002;

    /// <summary>libfaketime settings per founding node at start (S7); null: none.</summary>
    public Func<string, string?>? ClockSkew { get; init; }

    /// <summary>Appended to every node's command line (testing switches, small snapshot intervals…).</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];

    /// <summary>Client request timeout: past it the outcome is unknown (then retried with the same request id).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Attempts of one write/cas/delete (the same request id each time, rotating over the nodes).</summary>
    public int WriteAttempts { get; init; } = 3;

    /// <summary>Within this after the heal, the cluster must acknowledge a final write and converge.</summary>
    public TimeSpan RecoveryBound { get; init; } = TimeSpan.FromSeconds(60);

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Name} seed {Seed}: {ClusterSize} nodes, {Clients} clients on {Keys} keys, mix w{Mix.WritePercent}/cas{Mix.CasPercent}/del{Mix.DeletePercent}, " +
        $"warmup {Warmup.TotalSeconds:0.#} s, faults {Faults} for {FaultPhase.TotalSeconds:0.#} s{(Membership ? " + membership" : "")}{(Supervise ? " + supervisor" : "")}, " +
        $"cooldown {Cooldown.TotalSeconds:0.#} s, args [{string.Join(' ', ExtraArgs)}]");
}

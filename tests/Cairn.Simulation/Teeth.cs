using Cairn.Consensus;

namespace Cairn.Simulation;

/// <summary>
/// Safety-breaking switches of the simulated node driver (the part the simulator plays instead of
/// <c>Cairn.Node</c>'s RaftDriver and ClusterNode). Teeth tests only: each must make the simulator find a violation.
/// </summary>
[Flags]
internal enum DriverFaults
{
    None = 0,

    /// <summary>
    /// Send a Ready's messages (votes, append acknowledgements) and apply it before its writes are synced; a background
    /// flusher syncs later (what <c>FsyncPolicy.IntervalMs</c> or a driver that acknowledges before fsync does).
    /// </summary>
    AckBeforeSync = 1,

    /// <summary>An <c>--in-memory</c> node that restarts empty votes at once (no <c>BeginRecovery</c>, whatever its probe found).</summary>
    RecoveringNodeVotes = 2,
}

/// <summary>The safety-breaking switches a run has on: the consensus core's and the simulated driver's.</summary>
internal readonly record struct Teeth(TestingFaults Core, DriverFaults Driver)
{
    public static Teeth None => default;

    public bool IsNone => Core == TestingFaults.None && Driver == DriverFaults.None;

    public static implicit operator Teeth(TestingFaults core) => new(core, DriverFaults.None);

    public static implicit operator Teeth(DriverFaults driver) => new(TestingFaults.None, driver);

    /// <summary>A switch name of either kind (CAIRN_SIM_TEETH); None for anything else.</summary>
    public static Teeth Parse(string? name) =>
        Enum.TryParse<TestingFaults>(name, out var core) && Enum.IsDefined(core) ? core
        : Enum.TryParse<DriverFaults>(name, out var driver) && Enum.IsDefined(driver) ? driver
        : None;

    public override string ToString() =>
        IsNone ? "None" : Driver == DriverFaults.None ? Core.ToString() : Core == TestingFaults.None ? Driver.ToString() : $"{Core}+{Driver}";
}

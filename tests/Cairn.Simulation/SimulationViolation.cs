namespace Cairn.Simulation;

/// <summary>What kind of property a run broke.</summary>
internal enum ViolationKind
{
    /// <summary>A safety invariant the simulator checks (election safety, log matching, state machine safety, ...).</summary>
    Safety,

    /// <summary>An always-on assertion inside the code under test fired (the core caught itself).</summary>
    CoreAssertion,

    /// <summary>The client history is not linearizable.</summary>
    NotLinearizable,

    /// <summary>After healing, the cluster did not converge within the bound.</summary>
    Liveness,
}

/// <summary>Thrown by the simulator's checks; the runner turns it into a failure report with the seed.</summary>
internal sealed class SimulationViolation(ViolationKind kind, string message) : Exception(message)
{
    public ViolationKind Kind { get; } = kind;
}

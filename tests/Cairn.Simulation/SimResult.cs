using Cairn.Consensus;
using Cairn.Checking;

namespace Cairn.Simulation;

/// <summary>Why a seed failed, with everything needed to reproduce it.</summary>
internal sealed record SimFailure(ViolationKind Kind, string Message, IReadOnlyList<string> FaultLogTail, string Replay)
{
    public string Describe(int seed) =>
        $"simulation seed {seed} FAILED ({Kind}): {Message}\n  fault log (last {FaultLogTail.Count} lines):\n    " +
        string.Join("\n    ", FaultLogTail) + $"\n  replay: {Replay}\n";
}

/// <summary>What one seed did: figures, trace hash, and the failure if any.</summary>
internal sealed record SimResult
{
    public required int Seed { get; init; }
    public required SimOptions Options { get; init; }
    public required ulong TraceHash { get; init; }
    public required long TraceEvents { get; init; }
    public required long Ticks { get; init; }
    public required SimStats Stats { get; init; }
    public required long[] FaultCounts { get; init; }
    public required int LeadersElected { get; init; }
    public required long[,] Outcomes { get; init; }
    public required long MessagesSent { get; init; }
    public required long MessagesLost { get; init; }
    public required long MessagesDuplicated { get; init; }
    public required long MessagesCutOff { get; init; }
    public required long ConvergedAfterTicks { get; init; }
    public CheckResult? History { get; init; }

    /// <summary>An AmnesicMajority run that did not converge (a refusal, allowed there); safety and the history passed.</summary>
    public bool Refused { get; init; }
    public SimFailure? Failure { get; init; }
    public required TimeSpan Elapsed { get; init; }

    public bool Passed => Failure is null;

    public long Operations => History?.Operations ?? 0;

    /// <summary>True when the failure is a caught safety breach (what the teeth tests look for), not a liveness timeout.</summary>
    public bool CaughtSafetyViolation => Failure is { Kind: ViolationKind.Safety or ViolationKind.CoreAssertion or ViolationKind.NotLinearizable };

    public static string ReplayCommand(int seed, Teeth faults, SimMode mode = SimMode.Default) =>
        (faults.IsNone ? "" : $"CAIRN_SIM_TEETH={faults} ") + (mode == SimMode.Default ? "" : $"CAIRN_SIM_MODE={mode.ToString().Replace(" ", "", StringComparison.Ordinal)} ") +
        $"CAIRN_SIM_SEED={seed} dotnet test tests/Cairn.Simulation --filter \"FullyQualifiedName~Replay\"";
}

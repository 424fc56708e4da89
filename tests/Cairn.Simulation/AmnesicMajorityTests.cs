using Xunit.Abstractions;

namespace Cairn.Simulation;

/// <summary>
/// In-memory clusters where, once, a majority of the voters lose their state at the same tick while one running voter
/// keeps it (<see cref="SimMode.AmnesicMajority"/>). Raft cannot promise progress then: the empty nodes abstain until a
/// leader caught them up, and only the survivor may still lead. What the simulator asserts (DESIGN.md): every safety
/// invariant and the linearizability of the history, as in every run — the cluster never acknowledges or serves as if
/// lost data were there — while convergence after healing is not required (a cluster that refuses to elect is right).
/// </summary>
public sealed class AmnesicMajorityTests(ITestOutputHelper output)
{
    private const int Seeds = 150;

    [Fact]
    public void AmnesicMajority_StaysSafeAndLinearizable_ConvergesOrRefuses()
    {
        var start = Runner.EnvInt("CAIRN_SIM_AMNESIC_SEED_START") ?? 1;

        var summary = Runner.RunSeeds(start, Seeds, mode: SimMode.AmnesicMajority);

        output.WriteLine(summary.Describe());
        Assert.True(summary.Failures.Count == 0, summary.Describe());
        Assert.True(summary.Results.Count(r => r.FaultCounts[(int)FaultKind.AmnesicMajority] > 0) >= summary.Results.Count / 2,
            "most runs wiped a majority");
    }
}

using Xunit.Abstractions;

namespace Cairn.Simulation;

/// <summary>
/// The simulation tiers. Default: 500 seeds (about half 3-node, half 5-node clusters) on two workers.
/// Extended: CAIRN_SIM_SEEDS=N [CAIRN_SIM_SEED_START=S] dotnet test tests/Cairn.Simulation -c Release --filter "FullyQualifiedName~Tier".
/// With CAIRN_SIM_TEETH=Switch the same tier runs with a safety-breaking switch of the core on, and lists what it caught.
/// </summary>
public sealed class SimulationTests(ITestOutputHelper output)
{
    [Fact]
    public void Tier_EverySeed_StaysSafeLinearizableAndConvergesAfterHealing()
    {
        var (start, count) = Runner.TierFromEnvironment();

        // CAIRN_SIM_TEETH=Switch runs the tier with a safety-breaking switch on: it should then fail (exploration).
        // CAIRN_SIM_MODE=Flags runs the tier as one of the variants (all in memory), for exploration.
        var summary = Runner.RunSeeds(start, count, Runner.TeethFromEnvironment(), mode: Runner.ModeFromEnvironment());

        output.WriteLine($"seeds {start}..{start + count - 1}");
        output.WriteLine(summary.Describe());
        Assert.True(summary.Failures.Count == 0, summary.Describe());
    }
}

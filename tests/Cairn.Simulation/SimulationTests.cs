using Xunit.Abstractions;

namespace Cairn.Simulation;

/// <summary>
/// The simulation tiers. Default: 500 seeds (about half 3-node, half 5-node clusters) on two workers.
/// Extended: CAIRN_SIM_SEEDS=N [CAIRN_SIM_SEED_START=S] dotnet test tests/Cairn.Simulation -c Release --filter "FullyQualifiedName~Tier".
/// </summary>
public sealed class SimulationTests(ITestOutputHelper output)
{
    [Fact]
    public void Tier_EverySeed_StaysSafeLinearizableAndConvergesAfterHealing()
    {
        var (start, count) = Runner.TierFromEnvironment();

        var summary = Runner.RunSeeds(start, count);

        output.WriteLine($"seeds {start}..{start + count - 1}");
        output.WriteLine(summary.Describe());
        Assert.True(summary.Failures.Count == 0, summary.Describe());
    }
}

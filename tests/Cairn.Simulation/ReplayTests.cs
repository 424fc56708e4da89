using Xunit.Abstractions;

namespace Cairn.Simulation;

/// <summary>
/// Replays one seed with its full fault log: CAIRN_SIM_SEED=N [CAIRN_SIM_TEETH=Switch] dotnet test tests/Cairn.Simulation
/// --filter "FullyQualifiedName~Replay" (CAIRN_SIM_MODE=Flags for a variant). Without the variable it replays seed 2 (so it is
/// also an ordinary test; seed 1 is an in-memory run that stops at a known bug).
/// </summary>
public sealed class ReplayTests(ITestOutputHelper output)
{
    [Fact]
    public void Replay_SeedFromEnvironment_PassesEveryCheck()
    {
        var seed = Runner.EnvInt("CAIRN_SIM_SEED") ?? 2;
        var teeth = Runner.TeethFromEnvironment();

        var result = Runner.RunSeed(seed, teeth, Runner.ModeFromEnvironment());

        output.WriteLine($"seed {seed}: {result.Options}");
        output.WriteLine($"trace hash {result.TraceHash:x16} over {result.TraceEvents} events, {result.Ticks} ticks, {result.Operations} operations");
        output.WriteLine(new RunSummary([result], result.Elapsed, teeth).Describe());
        Assert.True(result.Passed, result.Failure?.Describe(seed));
    }
}

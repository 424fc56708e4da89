namespace Cairn.Simulation;

public sealed class DeterminismTests
{
    [Theory]
    [InlineData(7)]  // both cluster sizes: the seed decides 3 or 5 voters; durable, instant fsync
    [InlineData(12)] // durable, fsyncs of 3 ticks, power losses
    [InlineData(18)] // in memory: six amnesic restarts through the probe and BeginRecovery
    public void SameSeed_RunTwice_GivesTheSameTrace(int seed)
    {
        var first = Runner.RunSeed(seed);
        var second = Runner.RunSeed(seed);

        Assert.True(first.Passed, first.Failure?.Describe(seed));
        Assert.True(first.TraceEvents > 10_000, $"a run has substance ({first.TraceEvents} events)");
        Assert.Equal(first.TraceHash, second.TraceHash);
        Assert.Equal(first.TraceEvents, second.TraceEvents);
        Assert.Equal(first.Operations, second.Operations);
        Assert.Equal(first.FaultCounts, second.FaultCounts);
    }

    [Fact]
    public void DifferentSeeds_GiveDifferentTraces()
    {
        Assert.NotEqual(Runner.RunSeed(7).TraceHash, Runner.RunSeed(8).TraceHash);
    }

    [Fact]
    public void BothClusterSizes_AreCoveredByTheDefaultSeeds()
    {
        var sizes = Enumerable.Range(Runner.DefaultSeedStart, 20).Select(s => SimOptions.FromSeed(s).InitialVoters).ToHashSet();

        Assert.Equal([3, 5], sizes.Order());
    }
}

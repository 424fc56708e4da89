using Cairn.Consensus;
using Xunit.Abstractions;

namespace Cairn.Simulation;

/// <summary>
/// Proof that the simulator can fail: each safety-breaking switch of the consensus core and of the simulated driver, run
/// over a prefix of the default seed set, must be caught by at least one seed (an invariant, the core's own assertion,
/// or the linearizability checker; a known bug's root event does not count). The run stops at the first seed that
/// catches it.
/// </summary>
public sealed class TeethTests(ITestOutputHelper output)
{
    /// <summary>Seeds tried before giving up on a switch: the default tier.</summary>
    private const int SeedsMax = Runner.DefaultSeedCount;

    private static readonly TestingFaults[] Covered =
    [
        TestingFaults.CommitEarlierTermByCounting,
        TestingFaults.GrantMultipleVotesPerTerm,
        TestingFaults.SkipLogUpToDateCheck,
        TestingFaults.AckReadIndexWithoutQuorum,
    ];

    [Fact]
    public void Teeth_CommitEarlierTermByCounting_IsCaught() => AssertCaught(TestingFaults.CommitEarlierTermByCounting);

    [Fact]
    public void Teeth_GrantMultipleVotesPerTerm_IsCaught() => AssertCaught(TestingFaults.GrantMultipleVotesPerTerm);

    [Fact]
    public void Teeth_SkipLogUpToDateCheck_IsCaught() => AssertCaught(TestingFaults.SkipLogUpToDateCheck);

    [Fact]
    public void Teeth_AckReadIndexWithoutQuorum_IsCaught() => AssertCaught(TestingFaults.AckReadIndexWithoutQuorum);

    /// <summary>The driver sends votes and acknowledgements before its writes are synced; a power loss then loses them.</summary>
    [Fact]
    public void Teeth_AckBeforeSync_IsCaught() => AssertCaught(DriverFaults.AckBeforeSync);

    /// <summary>An empty in-memory node votes at once instead of recovering.</summary>
    [Fact]
    public void Teeth_RecoveringNodeVotes_IsCaught() => AssertCaught(DriverFaults.RecoveringNodeVotes);

    /// <summary>
    /// The node layer's start-up before 2026-12-03 (a probe timeout started an empty node fresh, a --join node never
    /// recovered): seed 51 loses committed entry 133 that way, seed 13 trips the heartbeat invariant on a fresh empty
    /// voter. The checks must catch both.
    /// </summary>
    [Theory]
    [InlineData(51)]
    [InlineData(13)]
    public void Teeth_ImpatientRecovery_IsCaught(int seed)
    {
        var result = Runner.RunSeed(seed, Teeth.None, SimMode.ImpatientRecovery);
        output.WriteLine(result.Failure?.Describe(seed) ?? $"seed {seed} passed");
        Assert.True(result.CaughtSafetyViolation, $"seed {seed} under the impatient recovery path was not caught");
    }

    [Fact]
    public void Teeth_CoverEverySwitchTheCoreOffers()
    {
        var offered = Enum.GetValues<TestingFaults>().Where(f => f != TestingFaults.None);

        Assert.Empty(offered.Except(Covered));
    }

    [Fact]
    public void Teeth_CoverEverySwitchTheDriverOffers()
    {
        var offered = Enum.GetValues<DriverFaults>().Where(f => f != DriverFaults.None);

        Assert.Empty(offered.Except(CoveredDriver));
    }

    private static readonly DriverFaults[] CoveredDriver = [DriverFaults.AckBeforeSync, DriverFaults.RecoveringNodeVotes];

    private void AssertCaught(Teeth faults)
    {
        var summary = Runner.RunSeeds(Runner.DefaultSeedStart, SeedsMax, faults, stopAtFirstCaught: true);

        var caught = summary.Results.Where(r => r.CaughtSafetyViolation).OrderBy(r => r.Seed).ToList();
        output.WriteLine($"{faults}: {caught.Count} of {summary.Results.Count} seeds run caught it in {summary.Elapsed.TotalSeconds:F1} s");
        foreach (var r in caught.Take(3)) output.WriteLine(r.Failure!.Describe(r.Seed));
        Assert.NotEmpty(caught);
    }
}

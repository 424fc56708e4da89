using Xunit.Abstractions;

namespace Cairn.Simulation;

/// <summary>
/// Where an <c>--in-memory</c> restart is still stuck, shown by variants of this simulator outside the tiers
/// (<see cref="SimMode"/>). Skipped reproductions until fixed (DESIGN.md, "In-memory restarts").
/// </summary>
public sealed class KnownNodeGaps(ITestOutputHelper output)
{
    /// <summary>
    /// Seeds 236 and 301 (400 seeds of this mode: 2 fail; 74 and 197, which failed before recovering voters were
    /// demoted, pass): with amnesia allowed while a membership change is in flight, a demoted voter not yet promoted
    /// back plus a second amnesic voter can leave no electable majority, and the run does not converge. Not analysed
    /// further yet.
    /// </summary>
    [Theory(Skip = "recovery gap: amnesia during membership changes can leave the cluster without any electable node")]
    [InlineData(236)]
    [InlineData(301)]
    public void AmnesiaDuringMembershipChange_NoLeaderEver(int seed) => FixedConsensusBugs.AssertPasses(output, seed, SimMode.AmnesiaDuringMembershipChange);

    /// <summary>
    /// Seed 1: every node loses its state at once. The probes find no data anywhere, the nodes start a new empty cluster
    /// and vote again in terms they had voted in, then serve an empty store as if it were the data. Issue 6 asks for
    /// "data lost" to be reported instead; nothing detects it today (an in-memory node cannot tell this from a first start).
    /// </summary>
    [Fact(Skip = "node gap: no 'data lost' detection when every node restarts empty")]
    public void EveryNodeAmnesic_StartsAnEmptyCluster() => FixedConsensusBugs.AssertPasses(output, 1, SimMode.AmnesicAll);
}

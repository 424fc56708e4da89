using Xunit.Abstractions;

namespace Cairn.Simulation;

/// <summary>
/// Bugs of the consensus core this simulator found, fixed in RaftNode.Recovery.cs; each seed that reproduced one is kept
/// as a regression test (the checks that caught them — CheckRecoveryEnded, BeforeAmnesicSend — run in every tier).
/// </summary>
public sealed class FixedConsensusBugs(ITestOutputHelper output)
{
    /// <summary>
    /// RecoveryEndsEarly. Recovery used to end when the node's commit covered an entry of the current leader's term;
    /// when that leader was already leading before the restart, such an entry could sit below what was committed then:
    /// the node voted again while missing committed entries, and the leader's next heartbeat (carrying the node's
    /// pre-restart match) tripped the "heartbeat's commit is past this log's end" invariant. Now recovery ends past a
    /// barrier the leader confirmed after the restart. Seed 1: n1 ended its recovery at commit 93 while 108 was committed.
    /// </summary>
    [Fact]
    public void RecoveryEndsEarly_Seed1() => AssertPasses(1, SimMode.Default);

    /// <summary>RecoveryEndsEarly, seed 1383: the heartbeat invariant fired on n2 (its Raft loop would have died).</summary>
    [Fact]
    public void RecoveryEndsEarly_Seed1383() => AssertPasses(1383, SimMode.Default);

    /// <summary>
    /// AmnesicNodeForgetsTerm. A node that restarted empty forgot its term; its acknowledgements counted, so a deposed
    /// leader of term 3 committed entries with them where a term-4 leader's committed entries sat — acknowledged writes
    /// lost. Now a recovering node's answers are marked and count for no quorum, and it returns as a learner.
    /// Seed 4729: recovering n3, which had led term 4, acknowledged n1's entries in term 3.
    /// </summary>
    [Fact]
    public void AmnesicNodeForgetsTerm_Seed4729() => AssertPasses(4729, SimMode.Default);

    internal static void AssertPasses(ITestOutputHelper output, int seed, SimMode mode)
    {
        var result = Runner.RunSeed(seed, Teeth.None, mode);

        output.WriteLine(result.Failure?.Describe(seed) ?? $"seed {seed} passed");
        Assert.True(result.Passed, result.Failure?.Describe(seed));
    }

    private void AssertPasses(int seed, SimMode mode) => AssertPasses(output, seed, mode);
}

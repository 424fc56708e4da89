using Xunit.Abstractions;

namespace Cairn.Simulation;

/// <summary>
/// Bugs of the consensus core this simulator found, each reproduced by a seed (skipped until fixed: this project does not
/// edit src/Cairn.Consensus). The tiers recognize the root event of each (a <see cref="SimulationViolation.KnownBug"/>),
/// list the seeds that hit it, and do not count them as failures unless CAIRN_SIM_STRICT=1. When a bug is fixed: remove
/// the Skip, then the id and the tolerance.
/// </summary>
public sealed class KnownConsensusBugs(ITestOutputHelper output)
{
    /// <summary>
    /// <c>RaftNode.BeginRecovery</c> ends when the node's commit covers an entry of the current leader's term. When that
    /// leader was already leading before the node restarted, such an entry can sit below the leader's commit at the
    /// restart: the node (caught up from a snapshot or a short append) votes again while missing committed entries, and
    /// the leader's next heartbeat, carrying the node's stale pre-restart match, trips the "heartbeat's commit is past
    /// this log's end" invariant (the node's Raft loop dies). Suggested fix: end recovery once the commit reaches a read
    /// index obtained after the restart (a quorum-confirmed leader commit).
    /// </summary>
    public const string RecoveryEndsEarly = "RecoveryEndsEarly";

    /// <summary>
    /// A node that restarted empty forgot its term: recovering (or after it) it follows, acknowledges and votes for
    /// leaders of terms below the one it had reached. Its acknowledgements count: a deposed leader of an older term
    /// commits entries with them that a leader of the newer term (whose entries sit at the same indexes) later
    /// overwrites — acknowledged writes lost. BeginRecovery keeps the node out of elections, not out of quorums. The
    /// issue asks for a node that rejoins as a learner (whose acknowledgements never count) and is promoted once caught up.
    /// </summary>
    public const string AmnesicNodeForgetsTerm = "AmnesicNodeForgetsTerm";


    /// <summary>The root event (seed 1, t=322: n1 ends its recovery at commit 93 under the leader of term 7, while 108 was committed).</summary>
    [Fact]
    public void RecoveryEndsEarly_RootEvent() => AssertPasses(1, SimMode.Default);

    /// <summary>
    /// Its consequence, letting the run go on (seed 1383): n2 ends its recovery at commit 18 under the leader of term 1
    /// (26 committed); the leader's next heartbeat carries commit 25 from n2's pre-restart match, past n2's log, and the
    /// core's invariant fails (in the product the node's Raft loop dies). With an election in that window the node's
    /// vote can also elect a leader lacking the entries (seen under an earlier draw of the options, seed 1990).
    /// </summary>
    [Fact]
    public void RecoveryEndsEarly_KillsTheNodesRaftLoop() => AssertPasses(1383, SimMode.ContinuePastKnownBugs);

    /// <summary>The root event (seed 4729, t=174: recovering n3, which had led term 4, acknowledges n1's entries in term 3).</summary>
    [Fact]
    public void AmnesicNodeForgetsTerm_RootEvent() => AssertPasses(4729, SimMode.Default);

    /// <summary>
    /// Its consequence (seed 4729): n3, which led term 4, restarts empty and recovers under n1, a deposed leader of term 3;
    /// its acknowledgements let n1 commit term-3 entries at indexes where n2 holds term-4 ones; n2 wins term 5 (n3 votes
    /// for it) and lacks committed entry 8.
    /// </summary>
    [Fact]
    public void AmnesicNodeForgetsTerm_LosesCommittedEntries() => AssertPasses(4729, SimMode.ContinuePastKnownBugs);

    internal static void AssertPasses(ITestOutputHelper output, int seed, SimMode mode)
    {
        var result = Runner.RunSeed(seed, Teeth.None, mode);

        output.WriteLine(result.Failure?.Describe(seed) ?? $"seed {seed} passed");
        Assert.True(result.Passed, result.Failure?.Describe(seed));
    }

    private void AssertPasses(int seed, SimMode mode) => AssertPasses(output, seed, mode);
}

using System.Text;
using Cairn.Consensus;
using Cairn.Consensus.Tests.Harness;

namespace Cairn.Consensus.Tests;

/// <summary>
/// Each TestingFaults switch breaks one safety rule; each test runs a scripted scenario with and without it and
/// requires the observers to see a violation only with it. A switch that produced no violation would mean the
/// scenario (or the observers) cannot detect that class of bug.
/// </summary>
public sealed class TeethTests
{
    [Fact]
    public void CommitEarlierTermByCounting_LosesACommittedEntry_InFigure8()
    {
        var broken = Figure8.Run(TestingFaults.CommitEarlierTermByCounting);
        var safe = Figure8.Run(TestingFaults.None);

        Assert.Contains("a", broken.Nodes[1].AppliedHistory.Values.Select(e => Encoding.UTF8.GetString(e.Data.Span)));
        Assert.Contains(broken.Violations, v => v.StartsWith("leader completeness", StringComparison.Ordinal));
        safe.AssertSafe();
    }

    /// <summary>Plain Raft (no pre-vote, no check-quorum, so scripts stay short) with the fault on one node only.</summary>
    private static Func<RaftConfig, RaftConfig> FaultOn(ulong node, TestingFaults faults) => c =>
    {
        var plain = c with { PreVote = false, CheckQuorum = false };
        return c.Id.Value == node ? plain with { Faults = faults } : plain;
    };

    private static TestCluster TwoCandidatesInOneTerm(TestingFaults faults)
    {
        var cluster = TestCluster.Start(3, tweak: FaultOn(3, faults));
        cluster[1].Raft.Campaign();
        cluster[2].Raft.Campaign();
        cluster.Stabilize();
        return cluster;
    }

    [Fact]
    public void GrantMultipleVotesPerTerm_ElectsTwoLeadersInOneTerm()
    {
        var broken = TwoCandidatesInOneTerm(TestingFaults.GrantMultipleVotesPerTerm);
        var safe = TwoCandidatesInOneTerm(TestingFaults.None);

        Assert.Contains(broken.Violations, v => v.StartsWith("two leaders in term 1", StringComparison.Ordinal));
        safe.AssertSafe();
    }

    private static TestCluster StaleCandidateAfterACommit(TestingFaults faults)
    {
        var cluster = TestCluster.Start(3, tweak: FaultOn(2, faults));
        cluster.ElectLeader(1);
        cluster.Cut(1, 3);
        cluster.Propose(1, "x"); // committed by 1 and 2; node 3 never sees it
        cluster.Crash(1);
        cluster.Heal();
        cluster[3].Raft.Campaign();
        cluster.Stabilize();
        cluster.Tick(3);
        return cluster;
    }

    [Fact]
    public void SkipLogUpToDateCheck_ElectsALeaderMissingACommittedEntry()
    {
        var broken = StaleCandidateAfterACommit(TestingFaults.SkipLogUpToDateCheck);
        var safe = StaleCandidateAfterACommit(TestingFaults.None);

        Assert.Contains(broken.Violations, v => v.StartsWith("leader completeness", StringComparison.Ordinal));
        Assert.NotEqual(RaftRole.Leader, safe[3].Raft.Role);
        safe.AssertSafe();
    }

    private static (TestCluster Cluster, ProposeResult Write) ReadOnADeposedLeader(TestingFaults faults)
    {
        var cluster = TestCluster.Start(3, tweak: FaultOn(1, faults));
        cluster.ElectLeader(1);
        cluster.Propose(1, "a");
        cluster.Isolate(1);
        cluster.ElectLeader(2);
        var write = cluster.Propose(2, "b");
        Assert.Equal(write.LastIndex, cluster[2].Raft.Status.Commit); // "b" is acknowledged before the read starts

        cluster[1].Raft.ReadIndex(9);
        cluster.Stabilize();
        cluster.Tick(2);
        return (cluster, write);
    }

    [Fact]
    public void AckReadIndexWithoutQuorum_ServesAStaleReadFromADeposedLeader()
    {
        var (broken, brokenWrite) = ReadOnADeposedLeader(TestingFaults.AckReadIndexWithoutQuorum);
        var (safe, _) = ReadOnADeposedLeader(TestingFaults.None);

        // Linearizability demands the read index cover every write acknowledged before the read began.
        var staleRead = Assert.Single(broken[1].Reads);
        Assert.True(staleRead.Index < brokenWrite.LastIndex);
        Assert.Empty(safe[1].Reads);
    }
}

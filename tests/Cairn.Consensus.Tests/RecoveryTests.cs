using Cairn.Consensus.Tests.Harness;

namespace Cairn.Consensus.Tests;

/// <summary>
/// A node that restarts without its state (in-memory mode) must not vote until it has caught up: its empty log would
/// let a candidate missing committed entries win, and its forgotten vote could be given twice in one term.
/// </summary>
public sealed class RecoveryTests
{
    // Commits "x" on nodes 1 and 3 only (2 is cut off), then node 1 crashes and node 3 restarts empty.
    private static TestCluster EntryOnlyOnOneSurvivor(bool recover)
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.Isolate(2);
        Assert.True(cluster.Propose(1, "x").Accepted);
        cluster.Stabilize();
        Assert.Contains("x", cluster.Nodes[3].State);
        cluster.Crash(1);
        cluster.Nodes[3].RestartEmpty(recover);
        cluster.Heal();
        return cluster;
    }

    [Fact]
    public void WithoutRecovery_AnEmptyRestartedVoter_ElectsALeaderThatLostACommittedEntry()
    {
        // The hazard, shown so the guard below is known to matter: 2 (never had "x") wins with 3's empty vote.
        var cluster = EntryOnlyOnOneSurvivor(recover: false);
        cluster.TickUntil(() => cluster.Leader is not null, what: "a leader among 2 and 3");
        Assert.Equal(2UL, cluster.Leader!.Id.Value);
        cluster.Propose(2, "y");
        cluster.Stabilize();
        Assert.DoesNotContain("x", cluster.Nodes[3].State);
    }

    [Fact]
    public void ARecoveringNode_NeitherVotesNorCampaigns_SoNoLeaderWithoutTheDataIsElected()
    {
        var cluster = EntryOnlyOnOneSurvivor(recover: true);
        cluster.Tick(300);
        Assert.Null(cluster.Leader);
        Assert.True(cluster.Nodes[3].Raft.Recovering);
        cluster.AssertSafe();
    }

    [Fact]
    public void ARecoveringNode_CatchesUpFromTheLeader_ThenVotesAgain()
    {
        var cluster = EntryOnlyOnOneSurvivor(recover: true);
        cluster.Restart(1); // the node holding "x" comes back with its log
        cluster.TickUntil(() => cluster.Leader is not null, what: "a leader");
        Assert.Equal(1UL, cluster.Leader!.Id.Value);
        cluster.Propose(1, "z");
        cluster.Stabilize();

        Assert.False(cluster.Nodes[3].Raft.Recovering);
        Assert.Equal(["x", "z"], cluster.Nodes[3].State);
        cluster.AssertSafe();
    }

    [Fact]
    public void ARecoveringNode_RefusesPreVotesAndVotes_EvenFromAnUpToDateCandidate()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.Nodes[3].RestartEmpty(recover: true);
        var term = cluster.Nodes[1].Raft.Term.Next;
        var replies = cluster.Nodes[3].Receive(new VoteRequest(new NodeId(2), new NodeId(3), term, new LogIndex(5), term, PreVote: true, Transfer: false));
        Assert.False(replies.Single<VoteResponse>().Granted);
        replies = cluster.Nodes[3].Receive(new VoteRequest(new NodeId(2), new NodeId(3), term, new LogIndex(5), term, PreVote: false, Transfer: false));
        Assert.False(replies.Single<VoteResponse>().Granted);
    }

    [Fact]
    public void ALeaderThatBelievesARestartedFollowerHoldsItsEntries_ProbesItAgainFromScratch()
    {
        // The leader keeps Match for node 3 across 3's restart; 3 (recovering) answers the heartbeat's commit past its
        // empty log with where its log ends, and the leader replicates everything again.
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.Propose(1, "a", "b");
        cluster.Stabilize();
        cluster.Nodes[3].RestartEmpty(recover: true);
        cluster.Tick(3);
        cluster.Stabilize();

        Assert.Equal(["a", "b"], cluster.Nodes[3].State);
        Assert.False(cluster.Nodes[3].Raft.Recovering);
        cluster.AssertSafe();
    }
}

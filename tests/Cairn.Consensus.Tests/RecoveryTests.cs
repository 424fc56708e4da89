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
    public void ARecoveringNode_IsDemoted_CatchesUp_AndVotesAgainOnlyOncePromoted()
    {
        var cluster = EntryOnlyOnOneSurvivor(recover: true);
        cluster.Restart(1); // the node holding "x" comes back with its log
        cluster.TickUntil(() => cluster.Leader is not null, what: "a leader");
        Assert.Equal(1UL, cluster.Leader!.Id.Value);
        cluster.Propose(1, "z");
        cluster.TickUntil(() => !cluster.Nodes[3].Raft.Recovering, what: "3's recovery");
        cluster.Stabilize();

        // The leader demoted it when it answered as recovering; it caught up past the leader's barrier as a learner.
        Assert.False(cluster.Nodes[3].Raft.Recovering);
        Assert.Equal(["x", "z"], cluster.Nodes[3].State);
        Assert.True(cluster.Nodes[1].Raft.Membership.IsLearner(new NodeId(3)));

        Assert.True(cluster.Nodes[1].Raft.ProposeMembershipChange(new MembershipChange(MembershipChangeKind.PromoteLearner, new NodeId(3))).Accepted);
        cluster.Stabilize();
        Assert.True(cluster.Nodes[3].Raft.Membership.IsVoter(new NodeId(3)));
        // Without 1, a leader needs 3's vote: it votes again.
        cluster.Crash(1);
        cluster.TickUntil(() => cluster.Leader is not null, what: "a leader elected with 3's vote");
        cluster.AssertSafe();
    }

    [Fact]
    public void ARecoveringNodesAcknowledgements_CountForNoQuorum()
    {
        // 3 restarts empty: 1 cannot commit with 3's acks alone (2 is cut off), and check-quorum does not count 3 either.
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.Propose(1, "a");
        cluster.Stabilize();
        cluster.Nodes[3].RestartEmpty(recover: true);
        cluster.Isolate(2);
        var commit = cluster.Nodes[1].Raft.Status.Commit;
        cluster.Propose(1, "b");
        cluster.Tick(3);
        Assert.Equal(RaftRole.Leader, cluster.Nodes[1].Raft.Role);
        Assert.True(cluster.Nodes[1].Raft.Status.Progress.Single(p => p.Node.Value == 3).Recovering);
        Assert.True(cluster.Nodes[3].Raft.Recovering);
        cluster.TickUntil(() => cluster.Nodes[1].Raft.Role != RaftRole.Leader, what: "1 stepping down (check-quorum)");
        Assert.Equal(commit, cluster.Nodes[1].Raft.Status.Commit);

        cluster.Heal();
        cluster.TickUntil(() => cluster.Leader is not null && cluster.Leader.Raft.Status.Commit > commit, what: "a commit with 2's ack");
        cluster.AssertSafe();
    }

    [Fact]
    public void ALearnerThatAnswersAsRecovering_CannotBePromoted_UntilItAnswersCaughtUp()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.Propose(1, "a");
        cluster.AddJoiningNode(4);
        Assert.True(cluster.Nodes[1].Raft.ProposeMembershipChange(new MembershipChange(MembershipChangeKind.AddLearner, new NodeId(4))).Accepted);
        cluster.Stabilize();
        var term = cluster.Nodes[1].Raft.Term;
        var promote = new MembershipChange(MembershipChangeKind.PromoteLearner, new NodeId(4));

        cluster.Nodes[1].Receive(new HeartbeatResponse(new NodeId(4), new NodeId(1), term, 0, Recovering: true));
        Assert.Equal(DropReason.InvalidMembershipChange, cluster.Nodes[1].Raft.ProposeMembershipChange(promote).Reason);

        cluster.Nodes[1].Receive(new HeartbeatResponse(new NodeId(4), new NodeId(1), term, 0, Recovering: false));
        Assert.True(cluster.Nodes[1].Raft.ProposeMembershipChange(promote).Accepted);
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

using Cairn.Consensus;
using Cairn.Consensus.Tests.Harness;
using static Cairn.Consensus.Tests.Harness.Script;

namespace Cairn.Consensus.Tests;

public sealed class PreVoteAndCheckQuorumTests
{
    [Fact]
    public void PartitionedNode_RejoiningWithPreVote_DoesNotDisruptTheLeader()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        var term = cluster[1].Raft.Term;
        cluster.Isolate(3);

        cluster.Tick(100); // node 3 times out again and again, but only pre-campaigns
        Assert.Equal(term, cluster[3].Raft.Term);

        cluster.Heal();
        cluster.Tick(5);
        Assert.Equal(RaftRole.Leader, cluster[1].Raft.Role);
        Assert.Equal(term, cluster[1].Raft.Term);
        Assert.Equal(N(1), cluster[3].Raft.Leader);
        cluster.AssertSafe();
    }

    [Fact]
    public void PartitionedNode_RejoiningWithoutPreVoteOrCheckQuorum_DeposesTheLeader()
    {
        // The contrast that shows the previous test can fail: without pre-vote, the rejoining node's inflated term wins.
        var cluster = TestCluster.Start(3, tweak: c => c with { PreVote = false, CheckQuorum = false });
        cluster.ElectLeader(1);
        var term = cluster[1].Raft.Term;
        cluster.Isolate(3);

        cluster.Tick(100);
        Assert.True(cluster[3].Raft.Term > term);

        cluster.Heal();
        cluster.Tick(5);
        Assert.True(cluster[1].Raft.Term > term);
        cluster.AssertSafe();
    }

    [Fact]
    public void PreCandidate_DoesNotIncrementItsTerm()
    {
        var node = Node(term: 2, logTerms: [1, 2], tweak: c => c with { PreVote = true });

        node.Raft.Campaign();
        var requests = node.Drain().OfType<VoteRequest>().ToList();

        Assert.Equal(RaftRole.PreCandidate, node.Raft.Role);
        Assert.Equal(T(2), node.Raft.Term);
        Assert.Equal(T(2), node.Stable.Load()!.HardState.Term);
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.True(r.PreVote && r.Term == T(3)));
    }

    [Fact]
    public void PreCandidate_BecomesCandidate_AfterAQuorumOfPreVotes()
    {
        var node = Node(term: 2, logTerms: [1, 2], tweak: c => c with { PreVote = true });
        node.Raft.Campaign();
        node.Drain();

        var requests = node.Receive(new VoteResponse(N(2), N(1), T(3), PreVote: true, Granted: true)).OfType<VoteRequest>().ToList();

        Assert.Equal(RaftRole.Candidate, node.Raft.Role);
        Assert.Equal(T(3), node.Raft.Term);
        Assert.All(requests, r => Assert.False(r.PreVote));
    }

    [Fact]
    public void Follower_GrantsPreVote_WithoutChangingTermOrVote()
    {
        var node = Node(term: 2, logTerms: [1, 2], vote: 3, tweak: c => c with { PreVote = true });

        var reply = node.Receive(new VoteRequest(N(2), N(1), T(3), I(2), T(2), PreVote: true, Transfer: false)).Single<VoteResponse>();

        Assert.True(reply.Granted);
        Assert.Equal(T(3), reply.Term);
        Assert.Equal(T(2), node.Raft.Term);
        Assert.Equal(new HardState(T(2), N(3), I(0)), node.Stable.Load()!.HardState);
    }

    [Fact]
    public void IsolatedLeader_StepsDown_WithinAnElectionTimeout_WithCheckQuorum()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.Isolate(1);

        cluster.Tick(20); // at most two check-quorum windows

        Assert.Equal(RaftRole.Follower, cluster[1].Raft.Role);
        Assert.True(cluster[1].Raft.Leader.IsNone);
    }

    [Fact]
    public void IsolatedLeader_StaysLeader_WithoutCheckQuorum()
    {
        var cluster = TestCluster.Start(3, tweak: c => c with { CheckQuorum = false });
        cluster.ElectLeader(1);
        cluster.Isolate(1);

        cluster.Tick(50);

        Assert.Equal(RaftRole.Leader, cluster[1].Raft.Role);
    }

    [Fact]
    public void Follower_IgnoresVoteRequests_WhileItHearsFromALeader()
    {
        var cluster = TestCluster.Start(3, tweak: c => c with { PreVote = false });
        cluster.ElectLeader(1);
        cluster.Tick(2);

        var replies = cluster[2].Receive(new VoteRequest(N(3), N(2), T(9), I(99), T(9), PreVote: false, Transfer: false));

        Assert.Empty(replies);
        Assert.Equal(N(1), cluster[2].Raft.Leader);
        Assert.Equal(T(1), cluster[2].Raft.Term);
    }

    [Fact]
    public void Follower_HonoursTransferVoteRequests_EvenWhileHearingFromALeader()
    {
        var cluster = TestCluster.Start(3, tweak: c => c with { PreVote = false });
        cluster.ElectLeader(1);

        var reply = cluster[2].Receive(new VoteRequest(N(3), N(2), T(2), I(1), T(1), PreVote: false, Transfer: true)).Single<VoteResponse>();

        Assert.True(reply.Granted);
        Assert.Equal(T(2), cluster[2].Raft.Term);
    }

    [Fact]
    public void StaleLeader_LearnsTheNewTerm_FromAFollowerReply_AndStepsDown()
    {
        var cluster = TestCluster.Start(3, tweak: c => c with { CheckQuorum = false });
        cluster.ElectLeader(1);
        cluster.Isolate(1);
        cluster.ElectLeader(2);
        cluster.Heal();

        cluster.Tick(2); // node 1's heartbeats are answered with the higher term

        Assert.Equal(RaftRole.Follower, cluster[1].Raft.Role);
        Assert.Equal(cluster[2].Raft.Term, cluster[1].Raft.Term);
        cluster.AssertSafe();
    }
}

using Cairn.Consensus.Tests.Harness;

namespace Cairn.Consensus.Tests;

/// <summary>
/// A majority of voters restarted without their state: recovering nodes never vote, so nobody can be elected until the
/// operator accepts the loss (<see cref="RaftNode.AcceptDataLoss"/>) with the survivor's last log position. Then the
/// survivor (or a candidate at least as up to date) is elected and the recovering nodes take its state.
/// </summary>
public sealed class DataLossTests
{
    // "a", "b" committed everywhere; 2 and 3 restart empty (recovering) while 1 keeps its log.
    private static TestCluster MajorityLost()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.Propose(1, "a", "b");
        cluster.Stabilize();
        cluster.Nodes[2].RestartEmpty(recover: true);
        cluster.Nodes[3].RestartEmpty(recover: true);
        cluster.Crash(1);
        cluster.Restart(1);
        return cluster;
    }

    private static (Term Term, LogIndex Index) LastOf(TestNode node) => (node.Log.TermAt(node.Log.LastIndex), node.Log.LastIndex);

    [Fact]
    public void WithoutAcceptance_NoLeaderIsElected()
    {
        var cluster = MajorityLost();
        cluster.Tick(300);
        Assert.Null(cluster.Leader);
        Assert.True(cluster.Nodes[2].Raft.Recovering && cluster.Nodes[3].Raft.Recovering);
    }

    [Fact]
    public void AfterAcceptance_TheSurvivorIsElected_AndTheOthersTakeItsState()
    {
        var cluster = MajorityLost();
        var (term, index) = LastOf(cluster.Nodes[1]);
        Assert.True(cluster.Nodes[2].Raft.AcceptDataLoss(term, index));
        Assert.True(cluster.Nodes[3].Raft.AcceptDataLoss(term, index));
        cluster.TickUntil(() => cluster.Leader is not null, what: "a leader after the loss was accepted");
        Assert.Equal(1UL, cluster.Leader!.Id.Value);
        cluster.Propose(1, "c");
        cluster.Stabilize();

        foreach (var n in cluster.Nodes.Values)
        {
            Assert.Equal(["a", "b", "c"], n.State);
            Assert.False(n.Raft.Recovering);
        }
        cluster.AssertSafe();
    }

    [Fact]
    public void AnAcceptingNode_VotesOnlyForACandidateAtLeastAsUpToDateAsTheSurvivor_AndNeverCampaigns()
    {
        var cluster = MajorityLost();
        var (term, index) = LastOf(cluster.Nodes[1]);
        cluster.Nodes[3].Raft.AcceptDataLoss(term, index);
        var next = term.Next;

        // The other empty node asks: refused (its log is behind the survivor's).
        var replies = cluster.Nodes[3].Receive(new VoteRequest(new NodeId(2), new NodeId(3), next, LogIndex.Zero, Term.Zero, PreVote: true, Transfer: false));
        Assert.False(replies.Single<VoteResponse>().Granted);
        replies = cluster.Nodes[3].Receive(new VoteRequest(new NodeId(2), new NodeId(3), next, new LogIndex(index.Value - 1), term, PreVote: false, Transfer: false));
        Assert.False(replies.Single<VoteResponse>().Granted);
        // The survivor's position: granted.
        replies = cluster.Nodes[3].Receive(new VoteRequest(new NodeId(1), new NodeId(3), next, index, term, PreVote: false, Transfer: false));
        Assert.True(replies.Single<VoteResponse>().Granted);

        cluster.Nodes[3].Raft.Campaign();
        Assert.NotEqual(RaftRole.Candidate, cluster.Nodes[3].Raft.Role);
        Assert.NotEqual(RaftRole.PreCandidate, cluster.Nodes[3].Raft.Role);
    }

    [Fact]
    public void OnANodeThatKeptItsState_AcceptanceChangesNothing()
    {
        var cluster = MajorityLost();
        var (term, index) = LastOf(cluster.Nodes[1]);
        Assert.False(cluster.Nodes[1].Raft.AcceptDataLoss(term, index));
        Assert.False(cluster.Nodes[1].Raft.Recovering);
    }
}

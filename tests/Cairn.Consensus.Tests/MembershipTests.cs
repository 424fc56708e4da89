using Cairn.Consensus;
using Cairn.Consensus.Tests.Harness;
using static Cairn.Consensus.Tests.Harness.Script;

namespace Cairn.Consensus.Tests;

public sealed class MembershipTests
{
    private static MembershipChange AddLearner(ulong id) => new(MembershipChangeKind.AddLearner, N(id));
    private static MembershipChange AddVoter(ulong id) => new(MembershipChangeKind.AddVoter, N(id));
    private static MembershipChange Promote(ulong id) => new(MembershipChangeKind.PromoteLearner, N(id));
    private static MembershipChange Remove(ulong id) => new(MembershipChangeKind.Remove, N(id));

    private static ProposeResult Change(TestCluster cluster, ulong leader, MembershipChange change)
    {
        var result = cluster[leader].Raft.ProposeMembershipChange(change);
        cluster.Stabilize();
        return result;
    }

    // ---- Learners ----

    [Fact]
    public void Learner_ReceivesTheLog_ButIsNeverAskedToVote()
    {
        var cluster = TestCluster.Start(2, learners: 1);
        cluster.ElectLeader(1);

        cluster.Propose(1, "a", "b");
        cluster.Tick();

        Assert.Equal(["a", "b"], cluster[3].State);
        Assert.DoesNotContain(cluster.Delivered, m => m is VoteRequest { To.Value: 3 });
    }

    [Fact]
    public void Learner_DoesNotCountForCommit()
    {
        var cluster = TestCluster.Start(2, learners: 1);
        cluster.ElectLeader(1);
        cluster.Crash(2);

        var result = cluster.Propose(1, "a");

        Assert.True(result.Accepted);
        Assert.Equal(result.LastIndex, cluster[3].Raft.Status.LastIndex); // the learner stored it...
        Assert.True(cluster[1].Raft.Status.Commit < result.LastIndex); // ...but that is not a quorum of voters
    }

    [Fact]
    public void Learner_DoesNotCountForCheckQuorum()
    {
        var cluster = TestCluster.Start(2, learners: 1);
        cluster.ElectLeader(1);
        cluster.CutBoth(1, 2);

        cluster.Tick(20);

        Assert.Equal(RaftRole.Follower, cluster[1].Raft.Role);
    }

    // ---- Single-server changes ----

    [Fact]
    public void AddLearner_ThenPromote_TheNewVoterCountsForCommit()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.Propose(1, "before");
        var joining = cluster.AddJoiningNode(4);
        Assert.Equal(Membership.Empty, joining.Raft.Membership);

        Assert.True(Change(cluster, 1, AddLearner(4)).Accepted);
        cluster.Tick(2);
        Assert.True(joining.Raft.Membership.IsLearner(N(4)));
        Assert.Equal(["before"], joining.State);

        Assert.True(Change(cluster, 1, Promote(4)).Accepted);
        cluster.Tick(2);
        Assert.All(cluster.Nodes.Values, n => Assert.Equal(4, n.Raft.Membership.Voters.Count));

        // Four voters: a quorum is three, so two voters down (2, 3) blocks commit even with 4 acknowledging.
        cluster.Crash(2);
        cluster.Crash(3);
        var blocked = cluster.Propose(1, "x");
        Assert.True(cluster[1].Raft.Status.Commit < blocked.LastIndex);
        cluster.Restart(2);
        cluster.Tick(2);
        Assert.True(cluster[1].Raft.Status.Commit >= blocked.LastIndex);
        cluster.AssertSafe();
    }

    [Fact]
    public void AddVoter_JoiningNode_CatchesUp_AndCanBeElected()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.Propose(1, "a");
        cluster.AddJoiningNode(4);

        Assert.True(Change(cluster, 1, AddVoter(4)).Accepted);
        cluster.Tick(2);
        Assert.Equal(["a"], cluster[4].State);

        cluster[1].Raft.TransferLeadership(N(4));
        cluster.Stabilize();
        Assert.Equal(RaftRole.Leader, cluster[4].Raft.Role);
        cluster.AssertSafe();
    }

    [Fact]
    public void JoiningNode_WithAnEmptyConfiguration_NeverCampaigns()
    {
        var cluster = TestCluster.Start(1);
        cluster.ElectLeader(1);
        cluster.AddJoiningNode(2);
        cluster.Crash(1);

        cluster.Tick(50);

        Assert.Equal(RaftRole.Follower, cluster[2].Raft.Role);
    }

    [Fact]
    public void SecondChange_IsRefused_WhileTheFirstIsUncommitted()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.Isolate(1);

        Assert.True(Change(cluster, 1, AddLearner(4)).Accepted);
        var second = Change(cluster, 1, AddLearner(5));

        Assert.Equal(DropReason.MembershipChangePending, second.Reason);
    }

    [Fact]
    public void Change_IsRefused_UntilTheLeaderCommittedAnEntryOfItsTerm()
    {
        var cluster = TestCluster.Start(3);
        cluster.DropIf = m => m is AppendEntriesResponse;
        cluster.ElectLeader(1);

        var result = Change(cluster, 1, AddLearner(4));

        Assert.Equal(DropReason.LeaderNotReady, result.Reason);
        cluster.DropIf = null;
        cluster.Tick();
        Assert.True(Change(cluster, 1, AddLearner(4)).Accepted);
    }

    [Theory]
    [InlineData(MembershipChangeKind.AddVoter, 2ul)]
    [InlineData(MembershipChangeKind.AddLearner, 1ul)]
    [InlineData(MembershipChangeKind.PromoteLearner, 2ul)]
    [InlineData(MembershipChangeKind.Remove, 9ul)]
    public void ChangeThatDoesNotApply_IsDropped_AsInvalid(MembershipChangeKind kind, ulong node)
    {
        var cluster = TestCluster.Start(2);
        cluster.ElectLeader(1);

        var result = Change(cluster, 1, new MembershipChange(kind, N(node)));

        Assert.Equal(DropReason.InvalidMembershipChange, result.Reason);
    }

    [Fact]
    public void RemovingTheLastVoter_IsInvalid()
    {
        var cluster = TestCluster.Start(1);
        cluster.ElectLeader(1);

        Assert.Equal(DropReason.InvalidMembershipChange, Change(cluster, 1, Remove(1)).Reason);
    }

    [Fact]
    public void NewConfiguration_TakesEffectWhenAppended_BeforeItCommits()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.DropIf = m => m is AppendEntriesResponse;

        var result = Change(cluster, 1, AddLearner(4));

        Assert.True(cluster[1].Raft.Status.Commit < result.LastIndex);
        Assert.True(cluster[1].Raft.Membership.IsLearner(N(4)));
        Assert.True(cluster[2].Raft.Membership.IsLearner(N(4)));
        Assert.Contains(cluster[1].Raft.Status.Progress, p => p.Node == N(4) && p.IsLearner);
    }

    [Fact]
    public void Follower_RevertsToThePreviousConfiguration_WhenItsConfigurationEntryIsOverwritten()
    {
        var node = Node(id: 2, term: 1, logTerms: [1]);
        var added = new Membership([N(1), N(2), N(3)], [N(4)]);
        var config = new Entry(T(1), I(2), EntryKind.Membership, MembershipCodec.Encode(new MembershipEntry(AddLearner(4), added)));
        node.Receive(new AppendEntries(N(1), N(2), T(1), I(1), T(1), I(1), [config]));
        Assert.Equal(added, node.Raft.Membership);

        node.Receive(new AppendEntries(N(3), N(2), T(2), I(1), T(1), I(1), [E(2, 2, "other")]));

        Assert.Equal(Membership.OfVoters(1, 2, 3), node.Raft.Membership);
    }

    [Fact]
    public void RemovedLeader_KeepsLeading_UntilTheRemovalCommits_ThenStepsDown()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.DropIf = m => m is AppendEntriesResponse;

        Assert.True(Change(cluster, 1, Remove(1)).Accepted);
        Assert.Equal(RaftRole.Leader, cluster[1].Raft.Role);
        Assert.False(cluster[1].Raft.Membership.IsVoter(N(1)));

        cluster.DropIf = null;
        cluster.Tick();
        Assert.Equal(RaftRole.Follower, cluster[1].Raft.Role);

        var next = cluster.WaitForLeader();
        Assert.NotEqual(N(1), next.Id);
        cluster.Tick(50);
        Assert.Equal(RaftRole.Follower, cluster[1].Raft.Role);
        cluster.AssertSafe();
    }

    [Fact]
    public void RemovingAVoter_ShrinksTheQuorum()
    {
        var cluster = TestCluster.Start(4);
        cluster.ElectLeader(1);
        Assert.True(Change(cluster, 1, Remove(4)).Accepted);
        cluster.Tick();
        cluster.Crash(3);
        cluster.Crash(4);

        var result = cluster.Propose(1, "x"); // 2 of the remaining 3 voters

        Assert.Equal(["x"], cluster[1].State);
        Assert.True(result.Accepted);
    }

    [Fact]
    public void Restart_RecoversTheConfiguration_FromTheLog()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.AddJoiningNode(4);
        Change(cluster, 1, AddLearner(4));
        cluster.Tick();

        cluster.Crash(2);
        cluster.Restart(2);
        cluster.Crash(4);
        cluster.Restart(4);

        Assert.True(cluster[2].Raft.Membership.IsLearner(N(4)));
        Assert.True(cluster[4].Raft.Membership.IsLearner(N(4)));
    }
}

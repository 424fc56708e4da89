using Cairn.Consensus;
using Cairn.Consensus.Tests.Harness;
using static Cairn.Consensus.Tests.Harness.Script;

namespace Cairn.Consensus.Tests;

public sealed class TransferTests
{
    [Fact]
    public void TransferLeadership_ToAnUpToDateFollower_MakesItLeader()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.Propose(1, "x");

        Assert.Equal(TransferLeadershipResult.Started, cluster[1].Raft.TransferLeadership(N(3)));
        cluster.Stabilize();

        Assert.Equal(RaftRole.Leader, cluster[3].Raft.Role);
        Assert.Equal(N(3), cluster[1].Raft.Leader);
        Assert.Contains(cluster.Delivered, m => m is TimeoutNow { To.Value: 3 });
        cluster.AssertSafe();
    }

    [Fact]
    public void TransferLeadership_CatchesUpALaggingTarget_BeforeTimeoutNow()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.Cut(1, 3);
        for (var i = 0; i < 5; i++) cluster.Propose(1, $"v{i}");
        cluster.Heal();

        cluster[1].Raft.TransferLeadership(N(3));
        cluster.Stabilize();

        Assert.Equal(RaftRole.Leader, cluster[3].Raft.Role);
        var timeoutAt = cluster.Delivered.FindIndex(m => m is TimeoutNow);
        var lastAppendTo3 = cluster.Delivered.FindLastIndex(m => m is AppendEntries { To.Value: 3, Entries.Count: > 0, From.Value: 1 });
        Assert.True(lastAppendTo3 < timeoutAt);
        cluster.AssertSafe();
    }

    [Fact]
    public void Leader_DropsProposals_WhileATransferIsInProgress()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.Crash(3);
        cluster[1].Raft.TransferLeadership(N(3));

        var result = cluster.Propose(1, "x");

        Assert.Equal(DropReason.TransferInProgress, result.Reason);
    }

    [Fact]
    public void Transfer_IsAborted_AfterAnElectionTimeout()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.Crash(3);
        cluster[1].Raft.TransferLeadership(N(3));

        cluster.Tick(10);

        Assert.Equal(RaftRole.Leader, cluster[1].Raft.Role);
        Assert.True(cluster[1].Raft.Status.LeadTransferee.IsNone);
        Assert.True(cluster.Propose(1, "x").Accepted);
    }

    [Fact]
    public void TransferLeadership_RefusesNonVoters_AndSelf_AndFollowers()
    {
        var cluster = TestCluster.Start(2, learners: 1);
        cluster.ElectLeader(1);

        Assert.Equal(TransferLeadershipResult.TargetNotVoter, cluster[1].Raft.TransferLeadership(N(3)));
        Assert.Equal(TransferLeadershipResult.TargetIsSelf, cluster[1].Raft.TransferLeadership(N(1)));
        Assert.Equal(TransferLeadershipResult.NotLeader, cluster[2].Raft.TransferLeadership(N(1)));
    }
}

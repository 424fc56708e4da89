using Cairn.Consensus;
using Cairn.Consensus.Tests.Harness;

namespace Cairn.Consensus.Tests;

public sealed class ReplicationTests
{
    [Fact]
    public void Leader_ReplicatesProposals_ToEveryFollower_InOrder()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);

        var result = cluster.Propose(1, "a", "b", "c");

        Assert.True(result.Accepted);
        Assert.Equal(new LogIndex(2), result.FirstIndex);
        Assert.Equal(new LogIndex(4), result.LastIndex);
        cluster.Tick(); // followers learn the commit index
        Assert.All(cluster.Nodes.Values, n => Assert.Equal(["a", "b", "c"], n.State));
        cluster.AssertSafe();
    }

    [Fact]
    public void Follower_DropsProposal_WithLeaderHint()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);

        var result = cluster.Propose(2, "x");

        Assert.False(result.Accepted);
        Assert.Equal(DropReason.NotLeader, result.Reason);
        Assert.Equal(new NodeId(1), result.LeaderHint);
    }

    [Fact]
    public void Proposal_IsDropped_WithNoLeader()
    {
        var cluster = TestCluster.Start(3);

        var result = cluster.Propose(2, "x");

        Assert.Equal(DropReason.NoLeader, result.Reason);
        Assert.True(result.LeaderHint.IsNone);
    }

    [Fact]
    public void MinorityOfFollowersDown_StillCommits()
    {
        var cluster = TestCluster.Start(5);
        cluster.ElectLeader(1);
        cluster.Crash(4);
        cluster.Crash(5);

        cluster.Propose(1, "a");

        Assert.Equal(["a"], cluster[1].State);
    }

    [Fact]
    public void MajorityDown_NothingCommits()
    {
        var cluster = TestCluster.Start(5);
        cluster.ElectLeader(1);
        cluster.Crash(3);
        cluster.Crash(4);
        cluster.Crash(5);

        var result = cluster.Propose(1, "a");

        Assert.True(result.Accepted);
        Assert.Empty(cluster[1].State);
        Assert.Equal(new LogIndex(1), cluster[1].Raft.Status.Commit);
    }

    [Fact]
    public void LaggingFollower_CatchesUp_AfterRestart()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.Crash(3);
        for (var i = 0; i < 20; i++) cluster.Propose(1, $"v{i}");

        cluster.Restart(3);
        cluster.Tick(3);

        Assert.Equal(cluster[1].State, cluster[3].State);
        Assert.Equal(20, cluster[3].State.Count);
        cluster.AssertSafe();
    }

    [Fact]
    public void AppendEntries_AreBatched_UpToEntriesPerMessageMax()
    {
        var cluster = TestCluster.Start(2, tweak: c => c with { EntriesPerMessageMax = 4 });
        cluster.ElectLeader(1);
        cluster.Crash(2);
        for (var i = 0; i < 10; i++) cluster.Propose(1, $"v{i}");
        cluster.Delivered.Clear();

        cluster.Restart(2);
        cluster.Tick(5);

        var appends = cluster.Delivered.OfType<AppendEntries>().Where(a => a.Entries.Count > 0).ToList();
        Assert.All(appends, a => Assert.InRange(a.Entries.Count, 1, 4));
        Assert.Equal(10, cluster[2].State.Count);
    }

    [Fact]
    public void Replicate_PipelinesAtMost_InflightMessagesMax_Unacknowledged()
    {
        var cluster = TestCluster.Start(2, tweak: c => c with { InflightMessagesMax = 3, EntriesPerMessageMax = 1 });
        cluster.ElectLeader(1);
        cluster.Propose(1, "warm");
        cluster.Cut(2, 1); // acknowledgements lost: the window fills
        cluster.Delivered.Clear();

        for (var i = 0; i < 10; i++) cluster.Propose(1, $"v{i}");

        var progress = cluster[1].Raft.Status.Progress.Single();
        Assert.Equal(ProgressState.Replicate, progress.State);
        Assert.Equal(3, progress.Inflight);
        Assert.Equal(3, cluster.Delivered.OfType<AppendEntries>().Count(a => a.Entries.Count > 0));
    }

    [Fact]
    public void Leader_DropsProposals_AsOverloaded_OverUncommittedBytesMax()
    {
        var cluster = TestCluster.Start(3, tweak: c => c with { UncommittedBytesMax = 200 });
        cluster.ElectLeader(1);
        cluster.Crash(2);
        cluster.Crash(3);

        var first = cluster.Propose(1, new string('a', 100));
        var second = cluster.Propose(1, new string('b', 100));

        Assert.True(first.Accepted);
        Assert.Equal(DropReason.Overloaded, second.Reason);
    }
}

public sealed class BacktrackingTests
{
    [Fact]
    public void Leader_SkipsAWholeConflictingTerm_PerRejection()
    {
        // Follower 3 holds entries of a deposed leader's term; the new leader's log is 30 entries longer.
        var cluster = TestCluster.Start(3, tweak: c => c with { PreVote = false, CheckQuorum = false });
        cluster.ElectLeader(3);
        cluster.Isolate(3);
        for (var i = 0; i < 5; i++) cluster.Propose(3, $"lost{i}");
        cluster.ElectLeader(1);
        for (var i = 0; i < 30; i++) cluster.Propose(1, $"kept{i}");
        cluster.ElectLeader(2); // a leader whose first guess for node 3 is its own last index
        cluster.Delivered.Clear();

        cluster.Heal();
        cluster.Tick(3);

        Assert.Equal(cluster[2].State, cluster[3].State);
        var rejections = cluster.Delivered.OfType<AppendEntriesResponse>().Count(r => r.From.Value == 3 && !r.Success);
        Assert.InRange(rejections, 1, 3); // one per conflicting term, not one per missing or conflicting entry
        cluster.AssertSafe();
    }
}

public sealed class ProgressReportingTests
{
    [Fact]
    public void ReportUnreachable_MovesAReplicatingPeerBackToProbe()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        Assert.Equal(ProgressState.Replicate, cluster[1].Raft.Status.Progress.Single(p => p.Node.Value == 2).State);

        cluster[1].Raft.ReportUnreachable(new NodeId(2));

        Assert.Equal(ProgressState.Probe, cluster[1].Raft.Status.Progress.Single(p => p.Node.Value == 2).State);
        Assert.Equal(ProgressState.Replicate, cluster[1].Raft.Status.Progress.Single(p => p.Node.Value == 3).State);
    }

    [Fact]
    public void Status_ReportsPerPeerProgress_AndTicksSinceContact()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.Propose(1, "a");
        cluster.Crash(3);

        cluster.Tick(5);

        var status = cluster[1].Raft.Status;
        Assert.Equal(RaftRole.Leader, status.Role);
        Assert.Equal(status.LastIndex, status.Commit);
        var up = status.Progress.Single(p => p.Node.Value == 2);
        var down = status.Progress.Single(p => p.Node.Value == 3);
        Assert.Equal(status.LastIndex, up.Match);
        Assert.Equal(up.Match.Next, up.Next);
        Assert.Equal(0, up.TicksSinceContact);
        Assert.Equal(5, down.TicksSinceContact);
        Assert.Empty(cluster[2].Raft.Status.Progress); // only a leader tracks progress
    }
}

using Cairn.Consensus;
using Cairn.Consensus.Tests.Harness;
using static Cairn.Consensus.Tests.Harness.Script;

namespace Cairn.Consensus.Tests;

public sealed class ReadIndexTests
{
    [Fact]
    public void Leader_ConfirmsARead_AfterAQuorumAcknowledgesAHeartbeatRound()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.Propose(1, "x");

        Assert.True(cluster[1].Raft.ReadIndex(7).Accepted);
        cluster.Stabilize();

        var read = Assert.Single(cluster[1].Reads);
        Assert.Equal(7ul, read.RequestId);
        Assert.Equal(cluster[1].Raft.Status.Commit, read.Index);
    }

    [Fact]
    public void PendingReads_ShareOneHeartbeatRound()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.Delivered.Clear();

        for (ulong id = 1; id <= 10; id++) cluster[1].Raft.ReadIndex(id);
        cluster.Stabilize();

        Assert.Equal(10, cluster[1].Reads.Count);
        var rounds = cluster.Delivered.OfType<Heartbeat>().Where(h => h.ReadContext != 0).Select(h => h.ReadContext).Distinct();
        Assert.Single(rounds);
        Assert.Equal(2, cluster.Delivered.OfType<Heartbeat>().Count()); // one per follower
    }

    [Fact]
    public void IsolatedLeader_NeverConfirmsARead()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.Isolate(1);

        cluster[1].Raft.ReadIndex(1);
        cluster.Tick(5);

        Assert.Empty(cluster[1].Reads);
    }

    [Fact]
    public void LostHeartbeatRound_IsRetriedByLaterHeartbeats()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.Isolate(1);
        cluster[1].Raft.ReadIndex(1);
        cluster.Stabilize();

        cluster.Heal();
        cluster.Tick();

        Assert.Single(cluster[1].Reads);
    }

    [Fact]
    public void NewLeader_ServesNoRead_UntilItCommitsAnEntryOfItsTerm()
    {
        var cluster = TestCluster.Start(3, tweak: c => c with { PreVote = false, CheckQuorum = false });
        cluster.ElectLeader(1);
        cluster.Propose(1, "x");
        // Node 2 wins term 2 but its no-op cannot reach anyone yet: its commit index is still of term 1.
        cluster.DropIf = m => m is AppendEntries { Entries.Count: > 0 } && m.From == N(2);
        cluster.Crash(1);
        cluster.ElectLeader(2);
        Assert.NotEqual(cluster[2].Raft.Term, cluster[2].Raft.LogTermAt(cluster[2].Raft.Status.Commit));

        Assert.True(cluster[2].Raft.ReadIndex(5).Accepted);
        cluster.Tick(3);
        Assert.Empty(cluster[2].Reads);

        cluster.DropIf = null;
        cluster.Tick(2);
        var read = Assert.Single(cluster[2].Reads);
        Assert.Equal(cluster[2].Raft.Term, cluster[2].Raft.LogTermAt(read.Index));
    }

    [Fact]
    public void Follower_ForwardsReadIndex_ToTheLeader_AndReceivesTheLeadersIndex()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.Cut(1, 3); // node 3 misses the write, so its own commit index lags the leader's
        cluster.Propose(1, "x");
        cluster.Heal();

        Assert.True(cluster[3].Raft.ReadIndex(42).Accepted);
        cluster.Stabilize();

        var read = Assert.Single(cluster[3].Reads);
        Assert.Equal(42ul, read.RequestId);
        Assert.Equal(cluster[1].Raft.Status.Commit, read.Index);
        Assert.Contains(cluster.Delivered, m => m is ReadIndexRequest { From.Value: 3, To.Value: 1 });
    }

    [Fact]
    public void ReadIndex_IsDropped_WithNoLeader()
    {
        var cluster = TestCluster.Start(3);

        var result = cluster[2].Raft.ReadIndex(1);

        Assert.False(result.Accepted);
        Assert.Equal(DropReason.NoLeader, result.Reason);
    }

    [Fact]
    public void LeaseBasedRead_IsServedWithoutAHeartbeatRound_WhileTheLeaseHolds()
    {
        var cluster = TestCluster.Start(3, tweak: c => c with { ReadMode = ReadMode.LeaseBased });
        cluster.ElectLeader(1);
        cluster.Tick();
        cluster.Delivered.Clear();

        cluster[1].Raft.ReadIndex(1);
        cluster.Stabilize();

        Assert.Single(cluster[1].Reads);
        Assert.DoesNotContain(cluster.Delivered, m => m is Heartbeat { ReadContext: > 0 });
    }

    [Fact]
    public void LeaseBasedMode_StillConfirmsWithAHeartbeatRound_ReadsThatDoNotAskForTheLease()
    {
        var cluster = TestCluster.Start(3, tweak: c => c with { ReadMode = ReadMode.LeaseBased });
        cluster.ElectLeader(1);
        cluster.Tick();
        cluster.Delivered.Clear();

        cluster[1].Raft.ReadIndex(1, lease: false);
        cluster[1].Raft.ReadIndex(2, lease: true);
        cluster.Stabilize();

        Assert.Equal(2, cluster[1].Reads.Count);
        Assert.Contains(cluster.Delivered, m => m is Heartbeat { ReadContext: > 0 });
    }

    [Fact]
    public void SafeMode_NeverServesFromTheLease_EvenWhenAsked()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.Tick();
        cluster.Delivered.Clear();

        cluster[1].Raft.ReadIndex(1, lease: true);
        cluster.Stabilize();

        Assert.Single(cluster[1].Reads);
        Assert.Contains(cluster.Delivered, m => m is Heartbeat { ReadContext: > 0 });
    }

    [Fact]
    public void LeaseBasedRead_FallsBackToAHeartbeatRound_WhenTheLeaseLapsed()
    {
        var cluster = TestCluster.Start(3, tweak: c => c with { ReadMode = ReadMode.LeaseBased });
        cluster.ElectLeader(1);
        cluster.Isolate(1);
        cluster.Tick(6); // over half an election timeout without contact, below the check-quorum window

        Assert.Equal(RaftRole.Leader, cluster[1].Raft.Role);
        cluster[1].Raft.ReadIndex(1);
        cluster.Stabilize();
        Assert.Empty(cluster[1].Reads);
    }

    [Fact]
    public void Leader_DropsReads_AsOverloaded_OverReadRequestsPendingMax()
    {
        var cluster = TestCluster.Start(3, tweak: c => c with { ReadRequestsPendingMax = 2 });
        cluster.ElectLeader(1);
        cluster.Isolate(1);

        var results = Enumerable.Range(1, 3).Select(i => cluster[1].Raft.ReadIndex((ulong)i)).ToList();

        Assert.True(results[0].Accepted && results[1].Accepted);
        Assert.Equal(DropReason.Overloaded, results[2].Reason);
    }
}

public sealed class LeaseTransferTests
{
    [Fact]
    public void LeaseBasedRead_IsNotServedFromTheLease_AfterATimeoutNowWasSent()
    {
        var cluster = TestCluster.Start(3, tweak: c => c with { ReadMode = ReadMode.LeaseBased });
        cluster.ElectLeader(1);
        cluster.Tick();
        cluster.DropIf = m => m is TimeoutNow; // delayed forever, as far as node 1 knows
        cluster[1].Raft.TransferLeadership(new NodeId(2));
        cluster.Stabilize();
        cluster.Tick(10); // the transfer is aborted...
        Assert.True(cluster[1].Raft.Status.LeadTransferee.IsNone);
        cluster.Delivered.Clear();

        cluster[1].Raft.ReadIndex(1);
        cluster.Stabilize();

        // ...but the read still needed a quorum round, because the TimeoutNow could yet arrive.
        Assert.Single(cluster[1].Reads);
        Assert.Contains(cluster.Delivered, m => m is Heartbeat { ReadContext: > 0 });
    }
}

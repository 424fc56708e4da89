using System.Text;
using Cairn.Consensus;
using Cairn.Consensus.Storage;
using Cairn.Consensus.Tests.Harness;
using static Cairn.Consensus.Tests.Harness.Script;

namespace Cairn.Consensus.Tests;

public sealed class SnapshotTests
{
    private static TestCluster ClusterWithSnapshotBehind3(int entries = 30, int chunkBytes = 16)
    {
        var cluster = TestCluster.Start(3, tweak: c => c with { SnapshotChunkBytesMax = chunkBytes, SnapshotLogTailEntries = 0 });
        cluster.ElectLeader(1);
        cluster.Crash(3);
        for (var i = 0; i < entries; i++) cluster.Propose(1, $"value-{i:D3}");
        cluster.Tick();
        Assert.True(cluster[1].TakeSnapshot());
        Assert.True(cluster[2].TakeSnapshot());
        Assert.True(cluster[1].Log.FirstIndex > new LogIndex(1));
        return cluster;
    }

    [Fact]
    public void CreateSnapshot_SavesItsMeta_AndCompactsTheLog_KeepingTheTail()
    {
        var cluster = TestCluster.Start(1, tweak: c => c with { SnapshotLogTailEntries = 5 });
        var node = cluster.ElectLeader(1);
        for (var i = 0; i < 20; i++) cluster.Propose(1, $"v{i}");

        Assert.True(node.TakeSnapshot());

        var meta = node.Snapshots.LatestMeta!;
        Assert.Equal(node.AppliedIndex, meta.Index);
        Assert.Equal(node.Raft.Term, meta.Term);
        Assert.Equal(Membership.OfVoters(1), meta.Membership);
        Assert.Equal(new LogIndex(meta.Index.Value - 5), node.Log.BaseIndex);
        Assert.Equal(meta.Index, node.Raft.Status.SnapshotIndex);
        Assert.False(node.TakeSnapshot()); // nothing new since
    }

    [Fact]
    public void CreateSnapshot_PastTheAppliedIndex_FailsAnInvariant()
    {
        var cluster = TestCluster.Start(1);
        var node = cluster.ElectLeader(1);

        Assert.Throws<InvariantViolationException>(() => node.Raft.CreateSnapshot(node.AppliedIndex.Next, new byte[] { 1 }));
    }

    [Fact]
    public void FarBehindFollower_IsCaughtUp_FromASnapshotSentInChunks()
    {
        var cluster = ClusterWithSnapshotBehind3();

        cluster.Restart(3);
        cluster.Tick(3);

        Assert.Equal(cluster[1].State, cluster[3].State);
        Assert.Equal(1, cluster[3].SnapshotsInstalled);
        var chunks = cluster.Delivered.OfType<InstallSnapshot>().ToList();
        Assert.True(chunks.Count > 10);
        Assert.All(chunks, c => Assert.True(c.Data.Length <= 16));

        cluster.Propose(1, "after");
        cluster.Tick();
        Assert.Equal("after", cluster[3].State[^1]);
        cluster.AssertSafe();
    }

    [Fact]
    public void InstalledSnapshot_IsHandedOutOnce_WithNoCommittedEntriesInThatReady()
    {
        var cluster = ClusterWithSnapshotBehind3();

        cluster.Restart(3);
        cluster.Tick(3);

        var withSnapshot = Assert.Single(cluster[3].Readies, r => r.Snapshot is not null);
        Assert.Empty(withSnapshot.CommittedEntries);
        Assert.Equal(cluster[1].Snapshots.LatestMeta!.Index, cluster[3].Log.BaseIndex);
        Assert.Equal(cluster[1].Snapshots.LatestMeta!.Index, cluster[3].Snapshots.LatestMeta!.Index);
    }

    [Fact]
    public void LostChunk_IsResentFromTheAcknowledgedOffset_NotFromTheStart()
    {
        var cluster = ClusterWithSnapshotBehind3();
        var dropped = 0;
        cluster.DropIf = m => m is InstallSnapshot { Offset: 48 } && dropped++ == 0; // the first one only

        cluster.Restart(3);
        cluster.Tick(15); // the stall timeout is one election timeout

        Assert.True(dropped >= 2, "chunk 48 was dropped, then resent");
        Assert.Equal(cluster[1].State, cluster[3].State);
        var offsets = cluster.Delivered.OfType<InstallSnapshot>().Select(c => c.Offset).ToList();
        Assert.Single(offsets, o => o == 0);
        Assert.Single(offsets, o => o == 48);
    }

    [Fact]
    public void ReportSnapshotStatusFailure_ResendsAtTheNextHeartbeat()
    {
        var cluster = ClusterWithSnapshotBehind3();
        cluster.DropIf = m => m is InstallSnapshot { Offset: 48 };
        cluster.Restart(3);
        cluster.DropIf = null;

        cluster[1].Raft.ReportSnapshotStatus(N(3), success: false);
        cluster.Tick(); // well before the stall timeout

        Assert.Equal(cluster[1].State, cluster[3].State);
    }

    [Fact]
    public void FollowerRestartingMidTransfer_MakesTheLeaderStartOverFromOffsetZero()
    {
        var cluster = ClusterWithSnapshotBehind3();
        cluster.DropIf = m => m is InstallSnapshot { Offset: >= 64 };
        cluster.Restart(3);
        cluster.Tick();
        Assert.True(cluster[1].Raft.Status.Progress.Single(p => p.Node == N(3)).SnapshotOffset > 0);

        cluster.Crash(3);
        cluster.Restart(3); // the partial snapshot is gone with the node
        cluster.DropIf = null;
        cluster.Tick(15);

        Assert.Equal(cluster[1].State, cluster[3].State);
        Assert.Contains(cluster.Delivered, m => m is InstallSnapshotResponse { From.Value: 3, NextOffset: 0, Done: false });
        Assert.Equal(2, cluster.Delivered.OfType<InstallSnapshot>().Count(c => c.Offset == 0));
    }

    [Fact]
    public void Follower_WhoseLogAlreadyContainsTheSnapshot_OnlyAdvancesItsCommit()
    {
        var node = Node(id: 2, term: 1, logTerms: [1, 1, 1, 1], commit: 1);

        var replies = node.Receive(new InstallSnapshot(N(1), N(2), T(1), I(3), T(1), Membership.OfVoters(1, 2, 3), 1, 0, new byte[] { 9 }));

        Assert.True(replies.Single<InstallSnapshotResponse>().Done);
        Assert.Equal(I(3), node.Raft.Status.Commit);
        Assert.Equal(I(4), node.Log.LastIndex);
        Assert.DoesNotContain(node.Readies, r => r.Snapshot is not null);
    }

    [Fact]
    public void Snapshot_CarriesTheConfiguration_ToTheNodeInstallingIt()
    {
        var cluster = TestCluster.Start(3, tweak: c => c with { SnapshotLogTailEntries = 0 });
        cluster.ElectLeader(1);
        cluster.Crash(3);
        cluster.AddJoiningNode(4);
        cluster[1].Raft.ProposeMembershipChange(new MembershipChange(MembershipChangeKind.AddLearner, N(4)));
        cluster.Stabilize();
        cluster.Propose(1, "x");
        cluster[1].TakeSnapshot();
        cluster[2].TakeSnapshot();

        cluster.Restart(3);
        cluster.Tick(3);

        Assert.Equal(1, cluster[3].SnapshotsInstalled);
        Assert.True(cluster[3].Raft.Membership.IsLearner(N(4)));
        cluster.Crash(3);
        cluster.Restart(3); // and remembers it from the snapshot store after a restart
        Assert.True(cluster[3].Raft.Membership.IsLearner(N(4)));
    }

    [Fact]
    public void Restart_RestoresFromTheSnapshot_ThenReplaysTheLogTail()
    {
        var cluster = TestCluster.Start(1, tweak: c => c with { SnapshotLogTailEntries = 2 });
        var node = cluster.ElectLeader(1);
        for (var i = 0; i < 5; i++) cluster.Propose(1, $"a{i}");
        node.TakeSnapshot();
        for (var i = 0; i < 3; i++) cluster.Propose(1, $"b{i}");
        var expected = node.State.ToList();

        cluster.Crash(1);
        cluster.Restart(1);
        cluster.Tick(30);

        Assert.Equal(expected, node.State);
        Assert.Equal(RaftRole.Leader, node.Raft.Role);
    }

    [Fact]
    public void CrashBetweenSavingASnapshotAndResettingTheLog_IsRepairedOnRestart()
    {
        var node = Node(id: 2, term: 1, logTerms: [1, 1]);
        var meta = new SnapshotMeta(I(10), T(3), Membership.OfVoters(1, 2, 3));
        node.Snapshots.Save(new Snapshot(meta, Encoding.UTF8.GetBytes("s")));

        node.Restart();

        Assert.Equal(I(10), node.Log.BaseIndex);
        Assert.Equal(T(3), node.Log.BaseTerm);
        Assert.Equal(I(10), node.Raft.Status.Commit);
        Assert.Equal(I(10), node.Raft.Status.Applied);
        Assert.Equal(["s"], node.State);
    }

    [Fact]
    public void InMemorySnapshotStore_ServesChunks_OnlyOfTheLatestSnapshot()
    {
        var store = new InMemorySnapshotStore();
        store.Save(new Snapshot(new SnapshotMeta(I(5), T(1), Membership.OfVoters(1)), new byte[] { 1, 2, 3, 4, 5 }));

        Assert.True(store.TryReadChunk(I(5), 3, 10, out var tail));
        Assert.Equal(new byte[] { 4, 5 }, tail.ToArray());
        store.Save(new Snapshot(new SnapshotMeta(I(9), T(1), Membership.OfVoters(1)), new byte[] { 7 }));
        Assert.False(store.TryReadChunk(I(5), 0, 10, out _));
        Assert.Null(store.BeginReceive(new SnapshotMeta(I(1), T(1), Membership.Empty), -1));
    }
}

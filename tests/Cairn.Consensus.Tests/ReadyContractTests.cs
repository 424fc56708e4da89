using Cairn.Consensus;
using Cairn.Consensus.Tests.Harness;
using static Cairn.Consensus.Tests.Harness.Script;

namespace Cairn.Consensus.Tests;

public sealed class ReadyContractTests
{
    private static TestNode SingleLeader()
    {
        var cluster = TestCluster.Start(1);
        return cluster.ElectLeader(1);
    }

    [Fact]
    public void Advance_WithAnotherReady_FailsAnInvariant()
    {
        var a = SingleLeader();
        var b = SingleLeader();
        a.Raft.Propose([new byte[] { 1 }]);
        b.Raft.Propose([new byte[] { 1 }]);
        var readyA = a.Raft.GetReady();
        var readyB = b.Raft.GetReady();

        Assert.Throws<InvariantViolationException>(() => a.Raft.Advance(readyB));
        _ = readyA;
    }

    [Fact]
    public void Advance_Twice_FailsAnInvariant()
    {
        var node = SingleLeader();
        node.Raft.Propose([new byte[] { 1 }]);
        var ready = node.Raft.GetReady();
        ReadyPersistence.Persist(ready, node.Log, node.Stable, node.Snapshots);
        node.Raft.Advance(ready);

        Assert.Throws<InvariantViolationException>(() => node.Raft.Advance(ready));
    }

    [Fact]
    public void Advance_WithoutPersistingTheEntries_FailsAnInvariant()
    {
        var node = SingleLeader();
        node.Raft.Propose([new byte[] { 1 }]);
        var ready = node.Raft.GetReady();

        Assert.Throws<InvariantViolationException>(() => node.Raft.Advance(ready));
    }

    [Fact]
    public void Advance_WithoutPersistingTheHardState_FailsAnInvariant()
    {
        var node = Node(term: 1, logTerms: [1]);
        node.Raft.Step(new VoteRequest(N(2), N(1), T(2), I(1), T(1), false, false));
        var ready = node.Raft.GetReady();
        Assert.NotNull(ready.HardState);

        Assert.Throws<InvariantViolationException>(() => node.Raft.Advance(ready));
    }

    [Fact]
    public void AnyCall_BetweenGetReadyAndAdvance_FailsAnInvariant()
    {
        var node = SingleLeader();
        node.Raft.Propose([new byte[] { 1 }]);
        node.Raft.GetReady();

        Assert.Throws<InvariantViolationException>(() => node.Raft.Tick());
        Assert.Throws<InvariantViolationException>(() => node.Raft.Step(new HeartbeatResponse(N(2), N(1), T(1), 0)));
        Assert.Throws<InvariantViolationException>(() => node.Raft.Propose([new byte[] { 2 }]));
        Assert.Throws<InvariantViolationException>(() => node.Raft.ReadIndex(1));
        Assert.Throws<InvariantViolationException>(() => node.Raft.GetReady());
        Assert.False(node.Raft.HasReady);
    }

    [Fact]
    public void CommittedEntries_NeverIncludeEntriesOfTheSameReadysPersistStep()
    {
        // A follower learns entries and their commit in one message: it may apply them only once they are persisted.
        var node = Node(id: 2, term: 1, logTerms: [1]);
        node.Raft.Step(new AppendEntries(N(1), N(2), T(1), I(1), T(1), I(3), [E(2, 1, "a"), E(3, 1, "b")]));

        var first = node.Raft.GetReady();
        Assert.Equal(2, first.EntriesToPersist.Count);
        Assert.DoesNotContain(first.CommittedEntries, e => e.Index >= I(2));
        ReadyPersistence.Persist(first, node.Log, node.Stable, node.Snapshots);
        node.Raft.Advance(first);

        var second = node.Raft.GetReady();
        Assert.Equal([I(2), I(3)], second.CommittedEntries.Select(e => e.Index));
    }

    [Fact]
    public void BrandNewNode_PersistsItsBootstrapConfiguration_InItsFirstReady()
    {
        var config = TestCluster.DefaultConfig(1) with { Bootstrap = Membership.OfVoters(1, 2, 3) };
        var node = new TestNode(1, () => config);

        var ready = node.Raft.GetReady();

        Assert.Equal(Membership.OfVoters(1, 2, 3), ready.BootstrapMembership);
        Assert.Equal(new HardState(T(0), N(0), I(0)), ready.HardState);
        ReadyPersistence.Persist(ready, node.Log, node.Stable, node.Snapshots);
        node.Raft.Advance(ready);
        Assert.False(node.Raft.HasReady);
        Assert.Equal(Membership.OfVoters(1, 2, 3), node.Stable.Load()!.Bootstrap);
    }

    [Fact]
    public void RestartedNode_IgnoresTheConfiguredBootstrap_InFavourOfItsStableStore()
    {
        var node = Node(term: 3, logTerms: [1], voters: [1, 2, 3]);
        var other = TestCluster.DefaultConfig(1) with { Bootstrap = Membership.OfVoters(1, 9) };

        var raft = new RaftNode(other, node.Log, node.Stable, node.Snapshots);

        Assert.Equal(Membership.OfVoters(1, 2, 3), raft.Membership);
        Assert.Equal(T(3), raft.Term);
        Assert.False(raft.HasReady);
    }

    [Fact]
    public void SoftState_IsReported_OnRoleAndLeaderChanges()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);

        Assert.Contains(new SoftState(N(1), RaftRole.Leader), cluster[1].SoftStates);
        Assert.Contains(new SoftState(N(1), RaftRole.Follower), cluster[2].SoftStates);
    }

    [Fact]
    public void Config_IsValidated()
    {
        var ok = TestCluster.DefaultConfig(1);
        Assert.Throws<ArgumentException>(() => (ok with { Id = NodeId.None }).Validate());
        Assert.Throws<ArgumentException>(() => (ok with { HeartbeatTicks = 10 }).Validate());
        Assert.Throws<ArgumentException>(() => (ok with { InflightMessagesMax = 0 }).Validate());
        Assert.Throws<ArgumentException>(() => (ok with { ReadMode = ReadMode.LeaseBased, CheckQuorum = false }).Validate());
        ok.Validate();
    }
}

using System.Text;
using Cairn.Consensus;
using Cairn.Consensus.Storage;
using Cairn.Node.Raft;
using Cairn.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Node.Tests;

public sealed class SoleVoterTests
{
    /// <summary>A clock whose timers never fire: the driver gets no tick, so no election timeout can ever pass.</summary>
    private sealed class FrozenTime : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new NeverFires();

        private sealed class NeverFires : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;
            public void Dispose() { }
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    private sealed class NoPeers : IRaftMessageSink
    {
        public void Send(IReadOnlyList<Message> messages) => Assert.Fail("a sole voter sends nothing");
    }

    [Fact]
    public async Task SoleVoter_LeadsAndCommitsAtStart_WithoutAnyElectionTimeout()
    {
        var id = new NodeId(1);
        var config = new RaftConfig { Id = id, Random = new Random(1), Bootstrap = new Membership([id], []) };
        await using var driver = new RaftDriver(config, new InMemoryLogStore(), new InMemoryStableStore(), new InMemorySnapshotStore(),
            new KvStore(StoreLimits.Default), new NoPeers(), new RaftDriverOptions(), new FrozenTime(), NullLogger.Instance);

        driver.Start();
        var result = await driver.ProposeAsync(new CommandEnvelope(null, new KvPut("k", Encoding.UTF8.GetBytes("v"), null, Precondition.None)))
            .WaitAsync(TimeSpan.FromSeconds(15));

        Assert.True(result.IsOk);
        Assert.Equal(RaftRole.Leader, driver.Status.Role);
    }

    [Fact]
    public async Task OneVoterOfThree_DoesNotCampaignAtStart()
    {
        var ids = new[] { new NodeId(1), new NodeId(2), new NodeId(3) };
        var config = new RaftConfig { Id = ids[0], Random = new Random(1), Bootstrap = new Membership(ids, []) };
        await using var driver = new RaftDriver(config, new InMemoryLogStore(), new InMemoryStableStore(), new InMemorySnapshotStore(),
            new KvStore(StoreLimits.Default), new NoPeersAllowedToBeCalled(), new RaftDriverOptions(), new FrozenTime(), NullLogger.Instance);

        driver.Start();

        Assert.Equal(RaftRole.Follower, driver.Status.Role);
        Assert.Equal(Term.Zero, driver.Status.Term);
    }

    private sealed class NoPeersAllowedToBeCalled : IRaftMessageSink
    {
        public void Send(IReadOnlyList<Message> messages) { }
    }
}

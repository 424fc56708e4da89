using Cairn.Node.Raft;
using System.Text;
using Cairn.Consensus;
using Cairn.Store;

namespace Cairn.Node.Tests;

public sealed class RaftDriverTests
{
    private static CommandEnvelope Put(string key, string value, string? requestId = null) =>
        new(requestId, new KvPut(key, Encoding.UTF8.GetBytes(value), null, Precondition.None));

    [Fact]
    public async Task ThreeNodes_ElectOneLeader_AndEveryNodeAppliesAcknowledgedWrites()
    {
        await using var cluster = new LocalCluster(3);
        var leader = await cluster.WaitForLeaderAsync();
        var writes = Enumerable.Range(0, 200).Select(i => cluster.Services[leader].ProposeAsync(Put($"k{i % 20}", $"v{i}"), default).AsTask()).ToList();
        var results = await Task.WhenAll(writes);
        Assert.All(results, r => Assert.True(r.IsOk));
        var last = results.Max(r => r.Revision);

        // Nothing else is written: every node converges to the same revision and the same state hash.
        await LocalCluster.PollAsync(() => (cluster.Drivers.All(d => d.Store.Current.Revision == cluster.Driver(leader).Store.Current.Revision
            && d.Status.Applied >= last), true), "every node applied the same entries");
        var hashes = cluster.Drivers.Select(d => Convert.ToHexString(d.Store.Current.ComputeStateHash())).Distinct().ToList();
        Assert.Single(hashes);
        foreach (var d in cluster.Drivers)
        {
            Assert.True(d.Store.Current.TryGetKey("k19", 0, out var e));
            Assert.Equal("v199", Encoding.UTF8.GetString(e.Value.Span));
        }
    }

    [Fact]
    public async Task LinearizableRead_OnAFollower_SeesTheWriteJustAcknowledged()
    {
        await using var cluster = new LocalCluster(3);
        var leader = await cluster.WaitForLeaderAsync();
        var follower = cluster.Services.Keys.First(k => k != leader);
        for (var i = 0; i < 20; i++)
        {
            var written = await cluster.Services[leader].ProposeAsync(Put("x", $"v{i}"), default);
            Assert.True(written.IsOk);
            var read = await cluster.Services[follower].ReadAsync(ReadConsistency.Linearizable, 0, default);
            Assert.True(read.View.Revision >= written.Revision);
            Assert.True(read.View.TryGetKey("x", 0, out var e));
            Assert.Equal($"v{i}", Encoding.UTF8.GetString(e.Value.Span));
        }
    }

    [Fact]
    public async Task Write_OnAFollower_IsRefusedAsRetryableAndNotApplied()
    {
        await using var cluster = new LocalCluster(3);
        var leader = await cluster.WaitForLeaderAsync();
        var follower = cluster.Services.Keys.First(k => k != leader);
        var error = await Assert.ThrowsAsync<ServiceUnavailableException>(() => cluster.Services[follower].ProposeAsync(Put("f", "1"), default).AsTask());
        Assert.False(error.MayHaveApplied);
        Assert.Contains(leader.ToString(), error.Message);
    }

    [Fact]
    public async Task IsolatedLeader_IsReplaced_AndCannotServeLinearizableReads()
    {
        await using var cluster = new LocalCluster(3);
        var old = await cluster.WaitForLeaderAsync();
        Assert.True((await cluster.Services[old].ProposeAsync(Put("a", "before"), default)).IsOk);

        cluster.Isolate(old);
        var rest = cluster.Services.Keys.Where(k => k != old).ToList();
        var fresh = await cluster.WaitForLeaderAsync(rest);
        Assert.NotEqual(old, fresh);
        var after = await cluster.Services[fresh].ProposeAsync(Put("a", "after"), default);
        Assert.True(after.IsOk);

        // The deposed leader must not answer a linearizable read with its stale state.
        var refused = await Assert.ThrowsAsync<ServiceUnavailableException>(() => cluster.Services[old].ReadAsync(ReadConsistency.Linearizable, 0, default).AsTask());
        Assert.False(refused.MayHaveApplied);
        // A stale read still answers, marked stale.
        var stale = await cluster.Services[old].ReadAsync(ReadConsistency.Stale, 0, default);
        Assert.True(stale.IsStale);

        cluster.HealAll();
        await LocalCluster.PollAsync(() => (cluster.Driver(old).Status.Applied >= after.Revision, true), "the old leader catches up");
        Assert.True(cluster.Driver(old).Store.Current.TryGetKey("a", 0, out var e));
        Assert.Equal("after", Encoding.UTF8.GetString(e.Value.Span));
    }

    [Fact]
    public async Task LaggingFollower_CatchesUpFromASnapshot()
    {
        await using var cluster = new LocalCluster(3);
        var leader = await cluster.WaitForLeaderAsync();
        var lagging = cluster.Services.Keys.First(k => k != leader);
        cluster.Isolate(lagging);
        // SnapshotEntries = 200 and a 50-entry tail: 600 writes compact far past the isolated follower.
        CommandResult last = null!;
        for (var batch = 0; batch < 6; batch++)
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
                cluster.Services[leader].ProposeAsync(Put($"s{i}", $"b{batch}"), default).AsTask()));
            last = results.MaxBy(r => r.Revision)!;
        }
        cluster.HealAll();
        await LocalCluster.PollAsync(() => (cluster.Driver(lagging).Status.Applied >= last.Revision, true), "the lagging follower catches up");
        var reference = cluster.Driver(leader).Store.Current;
        var caughtUp = cluster.Driver(lagging).Store.Current;
        Assert.True(caughtUp.TryGetKey("s99", 0, out var e));
        Assert.Equal("b5", Encoding.UTF8.GetString(e.Value.Span));
        Assert.Equal(reference.KeyCount, caughtUp.KeyCount);
    }

    [Fact]
    public async Task RetriedWrite_WithTheSameRequestId_AppliesOnce()
    {
        await using var cluster = new LocalCluster(3);
        var leader = await cluster.WaitForLeaderAsync();
        var service = cluster.Services[leader];
        var create = new CommandEnvelope("req-1", new DocPut("users", "1", Encoding.UTF8.GetBytes("{\"n\":1}"), Precondition.MustNotExist));
        var first = await service.ProposeAsync(create, default);
        var retry = await service.ProposeAsync(create, default);
        Assert.True(first.IsOk);
        Assert.True(retry.IsOk);
        Assert.Equal(first.Revision, retry.Current!.Meta.ModRevision);
    }

    [Fact]
    public async Task ASnapshotIsTakenByBytes_OffTheLoop_WhileWritesGoOn()
    {
        var options = new RaftDriverOptions { TickMs = 10, ElectionTicks = 10, SnapshotEntries = long.MaxValue, SnapshotBytes = 8 * 1024 };
        await using var cluster = new LocalCluster(3, options: options);
        var leader = await cluster.WaitForLeaderAsync();
        var value = new string('v', 500);
        // 40 writes of ~500 bytes pass the 8 KiB trigger on every node; no entry-count trigger could fire.
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            cluster.Services[leader].ProposeAsync(Put($"k{i}", value), default).AsTask()));
        Assert.All(results, r => Assert.True(r.IsOk));
        foreach (var (id, snapshots) in cluster.Snapshots)
        {
            await LocalCluster.PollAsync(() => (snapshots.LatestMeta is not null, snapshots.LatestMeta?.Index), $"node {id} takes a snapshot");
        }
        // Writes keep working after the snapshot, and the snapshot restores to a state the leader had.
        var after = await cluster.Services[leader].ProposeAsync(Put("after", "x"), default);
        Assert.True(after.IsOk);
        var meta = cluster.Snapshots[leader].LatestMeta!;
        Assert.True(meta.Index.Value > 0 && (long)meta.Index.Value < after.Revision);
    }
}

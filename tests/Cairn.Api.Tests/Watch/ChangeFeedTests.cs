using Cairn.Api.Watch;
using Cairn.Node;
using Cairn.Store;

namespace Cairn.Api.Tests.Watch;

/// <summary>The feed and a session over an in-memory sink, with the test thread applying commands.</summary>
public sealed class ChangeFeedTests
{
    [Fact]
    public async Task Live_EventsArriveInOrder_AndOnlyRevisionEndsCarryAResumeId()
    {
        using var h = new FeedHarness();
        h.PutDoc("a", "before");
        await using var w = h.Watch(WatchFilter.All);
        await w.UntilAsync(1);

        var doc = h.PutDoc("a", "1", """{"n":1}""");
        var key = h.PutKey("k", "v");
        var txn = h.Apply(new Txn([], [
            new TxnOp.Write(new DocPut("a", "2", "{}"u8.ToArray(), default)),
            new TxnOp.Write(new KvPut("k2", "x"u8.ToArray(), null, default)),
            new TxnOp.Write(new DocDelete("a", "1", default)),
        ], [])).Revision;
        var messages = await w.UntilAsync(txn);

        Assert.Equal(["start@1", "put@2 a/1", "put@3 k", "put@4 a/2 more", "put@4 k2 more", "delete@4 a/1"], messages.Select(m => m.ToString()));
        Assert.Equal([1L, doc, key, null, null, txn], messages.Select(m => m.ResumeId));
        Assert.Equal("""{"n":1}""", messages[1].ValueText);
        Assert.Equal(doc, messages[^1].Json.GetProperty("prevRevision").GetInt64());
    }

    [Fact]
    public async Task Resume_FromARetainedRevision_ReplaysEverythingAfterIt_ThenGoesLive()
    {
        using var h = new FeedHarness();
        for (var i = 1; i <= 10; i++) h.PutDoc("a", $"d{i}");
        await using var w = h.Watch(WatchFilter.ForCollection("a"), start: 4);
        await w.UntilAsync(10);
        var live = h.PutDoc("a", "d11");
        var messages = await w.UntilAsync(live);

        Assert.Equal(Enumerable.Range(5, 7).Select(i => (long)i), messages.Where(m => m.IsChange).Select(m => m.Revision));
        Assert.DoesNotContain(messages, m => m.Type == "snapshot-begin");
    }

    [Fact]
    public async Task Resume_FromACompactedRevision_SendsAMarkedSnapshot_ThenEveryLaterEvent()
    {
        using var h = new FeedHarness(limits: StoreLimits.Default with { HistoryEventsMax = 5 });
        for (var i = 0; i < 20; i++) h.PutDoc("a", $"d{i % 7}", $$"""{"i":{{i}}}""");
        h.DeleteDoc("a", "d3");
        h.PutKey("other", "x");
        var filter = WatchFilter.ForCollection("a");
        await using var w = h.Watch(filter, start: 1);
        var snapshotAt = h.Store.AppliedRevision;
        await w.UntilAsync(snapshotAt);
        var after = h.PutDoc("a", "d9", """{"late":true}""");
        var messages = await w.UntilAsync(after);

        var begin = Assert.Single(messages, m => m.Type == "snapshot-begin");
        Assert.Equal("compacted", begin.Json.GetProperty("reason").GetString());
        Assert.Equal(snapshotAt, begin.Revision);
        var end = Assert.Single(messages, m => m.Type == "snapshot-end");
        Assert.Equal(snapshotAt, end.ResumeId);
        Assert.All(messages.SkipWhile(m => m.Type != "snapshot-begin").Skip(1).TakeWhile(m => m.Type != "snapshot-end"), m => Assert.True(m.Snapshot));
        Assert.Equal([after], messages.Where(m => m.IsChange).Select(m => m.Revision));
        Assert.Equal(h.Expected(filter), w.State().Items);
    }

    [Fact]
    public async Task SlowWatcher_NeverBlocksTheApplyThread_IsTold_AndResynchronizesFromTheHistory()
    {
        using var h = new FeedHarness(new WatchOptions { QueueEventsMax = 8 });
        await using var w = h.Watch(WatchFilter.All);
        await w.UntilAsync(0);
        w.Sink.CloseGate();
        h.PutKey("k0", "v");
        await WaitUntilAsync(() => w.Sink.Blocked, "the session to wait in a write");

        for (var i = 1; i <= 500; i++) h.PutKey($"k{i}", "v"); // returns: the apply thread never waited for the watcher
        Assert.True(h.Feed.Overflows >= 1);
        Assert.InRange(w.Watcher.Queue.Count, 0, 8);
        Assert.True(w.Watcher.Queue.ResyncPending);

        w.Sink.OpenGate();
        var messages = await w.UntilAsync(501);
        Assert.Single(messages, m => m.Type == "overflow");
        Assert.DoesNotContain(messages, m => m.Type == "snapshot-begin");
        Assert.Equal(Enumerable.Range(1, 501).Select(i => (long)i), messages.Where(m => m.IsChange).Select(m => m.Revision));
    }

    [Fact]
    public async Task SlowWatcher_WhoseHistoryIsGone_GetsASnapshot_AndEndsWithTheStoreState()
    {
        using var h = new FeedHarness(new WatchOptions { QueueEventsMax = 4 }, StoreLimits.Default with { HistoryEventsMax = 10 });
        var filter = WatchFilter.ForPrefix("p/");
        await using var w = h.Watch(filter);
        await w.UntilAsync(0);
        w.Sink.CloseGate();
        h.PutKey("p/first", "v");
        await WaitUntilAsync(() => w.Sink.Blocked, "the session to wait in a write");
        for (var i = 0; i < 100; i++)
        {
            h.PutKey($"p/{i % 13}", $"v{i}");
            if (i % 5 == 0) h.Apply(new KvDelete($"p/{i % 13}", default));
            h.PutKey($"q/{i}", "not watched");
        }
        w.Sink.OpenGate();
        var messages = await w.UntilAsync(h.Store.AppliedRevision);

        var overflow = messages.Single(m => m.Type == "overflow");
        var begin = messages.Single(m => m.Type == "snapshot-begin");
        Assert.Equal("overflow", begin.Json.GetProperty("reason").GetString());
        Assert.True(messages.ToList().IndexOf(overflow) < messages.ToList().IndexOf(begin));
        Assert.Equal(h.Expected(filter), w.State().Items);
    }

    [Fact]
    public async Task Progress_OnEachTick_CarriesThePublishedRevision_EvenWhenNothingMatched()
    {
        using var h = new FeedHarness();
        await using var w = h.Watch(WatchFilter.ForDocument("a", "x"));
        await w.UntilAsync(0);
        h.PutDoc("a", "y");
        h.PutKey("x", "v");
        h.Store.Skip(h.Store.AppliedRevision + 3);
        h.Clock.Advance(TimeSpan.FromMilliseconds(h.Options.ProgressIntervalMs));

        var messages = await w.Sink.WaitForAsync(ms => ms.Any(m => m.Type == "progress"), "a progress message");
        var progress = messages.Single(m => m.Type == "progress");
        Assert.Equal(5, progress.Revision);
        Assert.Equal(5, progress.ResumeId);
        Assert.DoesNotContain(messages, m => m.IsChange);
    }

    [Fact]
    public async Task SnapshotInstalled_ResynchronizesEveryWatcher_FromASnapshot()
    {
        var leader = new FeedHarness();
        for (var i = 0; i < 30; i++) leader.PutDoc("a", $"d{i}", $$"""{"i":{{i}}}""");
        using var snapshot = new MemoryStream();
        leader.Store.Current.WriteSnapshot(snapshot);

        using var h = new FeedHarness();
        h.PutDoc("a", "stale");
        var filter = WatchFilter.ForCollection("a");
        await using var w = h.Watch(filter, start: 0);
        await w.UntilAsync(1);
        h.Store.InstallSnapshot(new MemoryStream(snapshot.ToArray()));
        var messages = await w.UntilAsync(30);

        Assert.Equal("snapshot-installed", messages.Single(m => m.Type == "snapshot-begin").Json.GetProperty("reason").GetString());
        Assert.Equal(h.Expected(filter), w.State().Items);
        Assert.DoesNotContain("a/stale", w.State().Items.Keys);
        leader.Dispose();
    }

    [Fact]
    public async Task AWriteThatOutlivesTheSendTimeout_AbortsTheWatcher()
    {
        using var h = new FeedHarness(new WatchOptions { SendTimeoutMs = 1000, ProgressIntervalMs = 500 });
        await using var w = h.Watch(WatchFilter.All);
        await w.UntilAsync(0);
        w.Sink.CloseGate();
        h.PutKey("k", "v");
        await WaitUntilAsync(() => w.Sink.Blocked, "the session to wait in a write");
        h.Clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.False(w.Aborted.IsCompleted);
        h.Clock.Advance(TimeSpan.FromMilliseconds(1000));
        await w.Aborted.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(w.Watcher.Queue.IsClosed);
    }

    [Fact]
    public void Register_BeyondWatchersMax_IsRefused_UntilOneLeaves()
    {
        using var h = new FeedHarness(new WatchOptions { WatchersMax = 2 });
        var a = h.Feed.Register(WatchFilter.All, () => { });
        h.Feed.Register(WatchFilter.All, () => { });
        var refused = Assert.Throws<ServiceUnavailableException>(() => h.Feed.Register(WatchFilter.All, () => { }));
        Assert.Equal(UnavailableReason.Overloaded, refused.Reason);
        h.Feed.Unregister(a);
        h.Feed.Register(WatchFilter.All, () => { });
        Assert.Equal(2, h.Feed.WatcherCount);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, string what, int timeoutMs = 20_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited {timeoutMs} ms for {what}");
            await Task.Delay(5);
        }
    }
}

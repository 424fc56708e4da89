namespace Cairn.Store.Tests;

/// <summary><see cref="KvStore.OnApplied"/>: one call per revision, after the history holds that revision's changes.</summary>
public sealed class AppliedNotificationTests
{
    private sealed record Call(long Revision, List<ChangeEvent> Changes, bool InHistory, long AppliedRevision, int OnChangeCallsBefore);

    private static (StoreHarness Harness, List<Call> Calls) Watched(StoreLimits? limits = null)
    {
        var h = new StoreHarness(limits);
        var calls = new List<Call>();
        h.Store.OnApplied += (revision, changes) =>
        {
            var inHistory = h.Store.TryGetEventsAfter(revision - 1, 1000, out var retained)
                && retained.Where(e => e.Revision == revision).SequenceEqual(changes);
            calls.Add(new Call(revision, [.. changes], inHistory, h.Store.AppliedRevision, h.Events.Count));
        };
        return (h, calls);
    }

    [Fact]
    public void EveryApply_NotifiesOnce_AfterTheHistoryAndOnChangeHandlers()
    {
        var (h, calls) = Watched();
        h.PutDoc("c", "1", """{"a":1}""");
        h.PutKey("k", "v");

        Assert.Equal([1L, 2L], calls.Select(c => c.Revision));
        Assert.All(calls, c => Assert.True(c.InHistory, $"revision {c.Revision}'s changes are retained before the notification"));
        Assert.All(calls, c => Assert.Equal(c.Revision, c.AppliedRevision));
        Assert.Equal([1, 2], calls.Select(c => c.OnChangeCallsBefore));
        Assert.Equal(h.Events, calls.SelectMany(c => c.Changes));
    }

    [Fact]
    public void CommandsThatChangeNothing_AndSkips_NotifyWithNoChanges()
    {
        var (h, calls) = Watched();
        h.Apply(new KvDelete("missing", Precondition.MustExist));          // not found
        h.PutKey("k", "v", precondition: Precondition.MustExist);          // precondition fails
        h.Apply(new KvPut("k", StoreHarness.Utf8("v"), null, default), requestId: "r1");
        h.Apply(new KvPut("k", StoreHarness.Utf8("v"), null, default), requestId: "r1"); // answered from the dedup window
        h.Store.Skip(h.Revision + 5);

        Assert.Equal([1L, 2L, 3L, 4L, 9L], calls.Select(c => c.Revision));
        Assert.Equal([0, 0, 1, 0, 0], calls.Select(c => c.Changes.Count));
    }

    [Fact]
    public void ATxn_NotifiesOnce_WithAllItsChangesInOrder()
    {
        var (h, calls) = Watched();
        h.PutKey("gone", "v");
        var ops = new List<TxnOp>
        {
            new TxnOp.Write(new KvPut("a", StoreHarness.Utf8("1"), null, default)),
            new TxnOp.Write(new DocPut("c", "x", StoreHarness.Utf8("{}"), default)),
            new TxnOp.Write(new KvDelete("gone", default)),
        };
        h.Apply(new Txn([], ops, []));

        var txn = Assert.Single(calls, c => c.Revision == 2);
        Assert.Equal([(ChangeType.Put, "a"), (ChangeType.Put, "x"), (ChangeType.Delete, "gone")], txn.Changes.Select(e => (e.Type, e.Key)));
        Assert.True(txn.InHistory);
    }

    [Fact]
    public void AnExpireCommand_NotifiesWithExpireChanges()
    {
        var (h, calls) = Watched();
        h.PutKey("t1", "v", expiresAt: 100);
        h.PutKey("t2", "v", expiresAt: 100);
        h.PutKey("keep", "v", expiresAt: 5000);
        h.Apply(new Expire(200, ["t1", "t2", "keep"]));

        var expire = calls[^1];
        Assert.Equal([(ChangeType.Expire, "t1", 1L), (ChangeType.Expire, "t2", 2L)], expire.Changes.Select(e => (e.Type, e.Key, e.PrevRevision)));
    }

    [Fact]
    public void InstallSnapshot_DoesNotNotifyApplied_ButTellsSnapshotInstalled()
    {
        var leader = new StoreHarness();
        for (var i = 0; i < 5; i++) leader.PutKey($"k{i}", "v");
        using var snapshot = new MemoryStream();
        leader.View.WriteSnapshot(snapshot);

        var (follower, calls) = Watched();
        long installed = -1;
        follower.Store.OnSnapshotInstalled += r => installed = r;
        follower.Store.InstallSnapshot(new MemoryStream(snapshot.ToArray()));
        follower.PutKey("after", "v");

        Assert.Equal(5, installed);
        Assert.Equal([6L], calls.Select(c => c.Revision));
        Assert.False(follower.Store.TryGetEventsAfter(0, 10, out _));
    }
}

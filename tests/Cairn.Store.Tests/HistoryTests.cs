namespace Cairn.Store.Tests;

public sealed class HistoryTests
{
    [Fact]
    public void Writes_ProduceEvents_WithPreviousRevisions()
    {
        var h = new StoreHarness();
        h.PutDoc("c", "1", """{"a":1}""");
        h.PutDoc("c", "1", """{"a":2}""");
        h.Apply(new DocDelete("c", "1", default));
        h.PutKey("k", "v");

        Assert.True(h.Store.TryGetEventsAfter(0, 100, out var events));
        Assert.Equal(
            [(1L, ChangeType.Put, "c", "1", 0L), (2L, ChangeType.Put, "c", "1", 1L), (3L, ChangeType.Delete, "c", "1", 2L), (4L, ChangeType.Put, null, "k", 0L)],
            events.Select(e => (e.Revision, e.Type, e.Collection, e.Key, e.PrevRevision)));
        Assert.Equal("""{"a":2}""", StoreHarness.Text(events[1].Value));
        Assert.Equal(h.Events, events);
    }

    [Fact]
    public void FailedCommands_ProduceNoEvents()
    {
        var h = new StoreHarness();
        h.Apply(new KvDelete("missing", default));
        h.PutKey("k", "v", precondition: Precondition.MustExist);
        Assert.True(h.Store.TryGetEventsAfter(0, 10, out var events));
        Assert.Empty(events);
    }

    [Fact]
    public void History_DropsOldestRevisionsFirst_AndSaysWhenItNoLongerReachesBack()
    {
        var h = new StoreHarness(new StoreLimits { HistoryEventsMax = 3 });
        for (var i = 0; i < 5; i++) h.PutKey($"k{i}", "v");

        Assert.Equal(2, h.Store.OldestRetainedRevision);
        Assert.False(h.Store.TryGetEventsAfter(1, 10, out _));
        Assert.True(h.Store.TryGetEventsAfter(2, 10, out var events));
        Assert.Equal([3L, 4L, 5L], events.Select(e => e.Revision));
        Assert.True(h.Store.TryGetEventsAfter(5, 10, out var none));
        Assert.Empty(none);
    }

    [Fact]
    public void History_IsBoundedByBytes()
    {
        var h = new StoreHarness(new StoreLimits { HistoryBytesMax = 3000 });
        for (var i = 0; i < 10; i++) h.Apply(new KvPut($"k{i}", new byte[1000], null, default));
        Assert.True(h.Store.TryGetEventsAfter(h.Store.OldestRetainedRevision, 100, out var events));
        Assert.InRange(events.Count, 1, 2);
        Assert.Equal(10, events[^1].Revision);
    }

    [Fact]
    public void TxnEvents_ShareARevision_AndAreNeverSplit_ByMaxOrByEviction()
    {
        var h = new StoreHarness(new StoreLimits { HistoryEventsMax = 4 });
        h.PutKey("before", "v");
        var puts = Enumerable.Range(0, 3).Select(i => (TxnOp)new TxnOp.Write(new KvPut($"t{i}", StoreHarness.Utf8("v"), null, default))).ToList();
        h.Apply(new Txn([], puts, []));

        Assert.True(h.Store.TryGetEventsAfter(0, 2, out var first));
        Assert.Equal([1L], first.Select(e => e.Revision)); // the txn's 3 events do not fit after the first one
        Assert.True(h.Store.TryGetEventsAfter(1, 2, out var txn));
        Assert.Equal(3, txn.Count); // alone, a revision comes whole even above max

        h.PutKey("after", "v"); // 5 events > 4: revision 1 goes; the txn's three stay together
        Assert.Equal(1, h.Store.OldestRetainedRevision);
        h.PutKey("after2", "v"); // 5 events again: the whole txn goes at once
        Assert.Equal(2, h.Store.OldestRetainedRevision);
        Assert.True(h.Store.TryGetEventsAfter(2, 10, out var rest));
        Assert.Equal([3L, 4L], rest.Select(e => e.Revision));
    }

    [Fact]
    public void AbortedTxn_ProducesNoEvents()
    {
        var h = new StoreHarness();
        h.Apply(new Txn([], [new TxnOp.Write(new KvPut("a", StoreHarness.Utf8("v"), null, default)), new TxnOp.Write(new KvDelete("b", Precondition.MustExist))], []));
        Assert.Empty(h.Events);
    }
}

namespace Cairn.Store.Tests;

public sealed class ConcurrencyTests
{
    private const int TxnCount = 3000;
    // A safety bound only: readers normally stop when the writer is done (a few million reads at most).
    private const int ReadsPerReaderMax = 200_000_000;

    /// <summary>
    /// One apply thread moves three keys and a document together in txns; readers on other threads must always see them
    /// agree (same value, same mod revision = the view's revision), never half of a txn.
    /// </summary>
    [Fact]
    public async Task Readers_NeverObserveAPartialTxn()
    {
        var store = new KvStore(StoreLimits.Default);
        // The first txn applies before any reader starts, so every read sees a complete txn and counts
        // toward the bound (a reader spinning on an empty store could otherwise use up its bound
        // while the writer waits for a core).
        ApplyTxn(store, 1);
        var done = 0;
        var started = new CountdownEvent(2);
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var reads = 0;
            var revisionsSeen = new HashSet<long>();
            started.Signal();
            // Bounded both by the writer finishing and by a read count; one last read after the writer is done.
            var last = false;
            while (!last && reads < ReadsPerReaderMax)
            {
                last = Volatile.Read(ref done) == 1;
                reads++;
                var view = store.Current;
                Assert.True(view.TryGetKey("a", 0, out var a));
                Assert.True(view.TryGetKey("b", 0, out var b));
                Assert.True(view.TryGetKey("c", 0, out var c));
                Assert.True(view.TryGetDocument("docs", "d", out var d));
                var expected = StoreHarness.Text(a.Value);
                Assert.Equal(expected, StoreHarness.Text(b.Value));
                Assert.Equal(expected, StoreHarness.Text(c.Value));
                Assert.Equal($$"""{"v":"{{expected}}"}""", StoreHarness.Text(d.Json));
                Assert.Equal(view.Revision, a.Meta.ModRevision);
                Assert.Equal(a.Meta, b.Meta);
                Assert.Equal(a.Meta, d.Meta);
                revisionsSeen.Add(view.Revision);
            }
            return revisionsSeen;
        })).ToList();
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)), "reader threads started");

        for (var i = 2; i <= TxnCount; i++) ApplyTxn(store, i);
        Volatile.Write(ref done, 1);
        var seen = await Task.WhenAll(readers).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.All(seen, revisions => Assert.Contains(TxnCount, revisions));
    }

    private static void ApplyTxn(KvStore store, int i)
    {
        var v = StoreHarness.Utf8($"{i}");
        var doc = StoreHarness.Utf8($$"""{"v":"{{i}}"}""");
        var r = store.Apply(i, new CommandEnvelope(null, new Txn([],
        [
            new TxnOp.Write(new KvPut("a", v, null, default)),
            new TxnOp.Write(new KvPut("b", v, null, default)),
            new TxnOp.Write(new DocPut("docs", "d", doc, default)),
            new TxnOp.Write(new KvPut("c", v, null, default)),
        ], [])));
        Assert.True(r.IsOk);
    }
}

namespace Cairn.Store.Tests;

public sealed class SnapshotTests
{
    private static StoreHarness VariedStore()
    {
        var h = new StoreHarness();
        for (var i = 0; i < 300; i++) h.PutDoc(i % 3 == 0 ? "users" : "orders", $"id{i:D4}", $$"""{"n":{{i}},"text":"héllo"}""");
        h.Apply(new DocDelete("orders", "id0001", default));
        h.Apply(new DocMergePatch("users", "id0000", StoreHarness.Utf8("""{"n":null,"m":1}"""), default));
        for (var i = 0; i < 200; i++) h.PutKey($"key/{i}", $"value {i}", expiresAt: i % 2 == 0 ? 1000 + i : null);
        h.Apply(new KvPut("binary", new byte[] { 0, 255, 1 }, null, default), requestId: "req-a");
        h.Apply(new Txn([], [new TxnOp.Get(Target.RawKey("binary")), new TxnOp.Write(new KvDelete("key/3", default))], []), requestId: "req-b");
        h.Apply(new KvDelete("absent", Precondition.MustExist), requestId: "req-c");
        h.Store.Skip(h.Revision + 3);
        return h;
    }

    private static byte[] Snapshot(StoreView view)
    {
        using var stream = new MemoryStream();
        view.WriteSnapshot(stream);
        return stream.ToArray();
    }

    private static KvStore Restore(byte[] bytes) => KvStore.Restore(new MemoryStream(bytes), StoreLimits.Default);

    [Fact]
    public void SnapshotThenRestore_GivesTheSameHash_AndTheSameAnswers()
    {
        var h = VariedStore();
        var restored = Restore(Snapshot(h.View));

        Assert.Equal(h.View.ComputeStateHash(), restored.Current.ComputeStateHash());
        Assert.Equal(h.Revision, restored.AppliedRevision);
        Assert.Equal(h.View.ListCollections(), restored.Current.ListCollections());
        Assert.Equal(h.View.DocumentCount, restored.Current.DocumentCount);
        Assert.Equal(h.View.ExpiredKeys(1100, 1000), restored.Current.ExpiredKeys(1100, 1000));
        Assert.True(restored.Current.TryGetDocument("users", "id0000", out var doc));
        Assert.Equal(h.Doc("users", "id0000"), doc with { Json = h.Doc("users", "id0000").Json });
        Assert.Equal("""{"text":"héllo","m":1}""", StoreHarness.Text(doc.Json));

        // Further commands, including retries answered from the restored dedup window, answer identically.
        var next = new[]
        {
            new CommandEnvelope("req-a", new KvPut("binary", StoreHarness.Utf8("again"), null, default)),
            new CommandEnvelope("req-b", new Txn([], [], [])),
            new CommandEnvelope(null, new KvPut("key/4", StoreHarness.Utf8("x"), null, Precondition.MustNotExist), 1004),
            new CommandEnvelope(null, new Expire(1100, h.View.ExpiredKeys(1100, 50))),
            new CommandEnvelope(null, new DocPut("users", "id0003", StoreHarness.Utf8("{}"), Precondition.RevisionIs(4))),
        };
        foreach (var e in next)
        {
            var revision = h.Revision + 1;
            Assert.Equal(RandomCommands.Describe(h.Store.Apply(revision, e)), RandomCommands.Describe(restored.Apply(revision, e)));
        }
        Assert.Equal(h.View.ComputeStateHash(), restored.Current.ComputeStateHash());
    }

    [Fact]
    public void Hash_DoesNotDependOnInsertionOrder()
    {
        var keys = Enumerable.Range(0, 2000).Select(i => $"k{i * 7919 % 2000:D4}").ToList();
        var shuffled = keys.OrderBy(k => k.GetHashCode(StringComparison.Ordinal)).ToList();
        var a = new StoreHarness(new StoreLimits { TxnOpsMax = 2000 });
        var b = new StoreHarness(new StoreLimits { TxnOpsMax = 2000 });
        // One txn each, in different orders: every write gets revision 1, so the states are equal.
        a.Apply(new Txn([], keys.Select(k => (TxnOp)new TxnOp.Write(new KvPut(k, StoreHarness.Utf8(k), null, default))).ToList(), []));
        b.Apply(new Txn([], shuffled.Select(k => (TxnOp)new TxnOp.Write(new KvPut(k, StoreHarness.Utf8(k), null, default))).ToList(), []));
        a.Apply(new Txn([], keys.Where((_, i) => i % 3 == 0).Select(k => (TxnOp)new TxnOp.Write(new KvDelete(k, default))).ToList(), []));
        b.Apply(new Txn([], shuffled.Where(k => keys.IndexOf(k) % 3 == 0).Select(k => (TxnOp)new TxnOp.Write(new KvDelete(k, default))).ToList(), []));

        Assert.Equal(a.View.ComputeStateHash(), b.View.ComputeStateHash());
        // A restored store (whose tree was bulk-built) hashes the same too.
        Assert.Equal(a.View.ComputeStateHash(), Restore(Snapshot(b.View)).Current.ComputeStateHash());
    }

    [Fact]
    public void Hash_ChangesWithAnyPartOfTheState()
    {
        var baseline = VariedStore().View.ComputeStateHash();
        var variants = new Func<StoreHarness, object>[]
        {
            h => h.PutKey("key/1", "value 1"), // same value, new revision
            h => { h.Store.Skip(h.Revision + 1); return 0; },
            h => h.Apply(new KvPut("z", Array.Empty<byte>(), null, default), requestId: "only-dedup-differs"),
        };
        var hashes = new HashSet<string> { Convert.ToHexString(baseline) };
        foreach (var change in variants)
        {
            var h = VariedStore();
            change(h);
            Assert.True(hashes.Add(Convert.ToHexString(h.View.ComputeStateHash())));
        }
    }

    [Fact]
    public void Hash_IsTheSnapshotTrailer()
    {
        var view = VariedStore().View;
        Assert.Equal(view.ComputeStateHash(), Snapshot(view)[^32..]);
    }

    [Fact]
    public void CorruptSnapshot_IsRejected_AtAnyByte()
    {
        var bytes = Snapshot(VariedStore().View);
        var rng = new Random(2);
        for (var i = 0; i < 300; i++)
        {
            var corrupt = (byte[])bytes.Clone();
            var at = i < 60 ? i : rng.Next(corrupt.Length);
            corrupt[at] ^= (byte)(1 + rng.Next(255));
            var e = Assert.Throws<InvalidDataException>(() => Restore(corrupt));
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
        }
    }

    [Fact]
    public void TruncatedSnapshot_IsRejected_AtAnyLength()
    {
        var bytes = Snapshot(VariedStore().View);
        for (var length = 0; length < bytes.Length; length += 1 + (length / 8))
            Assert.Throws<InvalidDataException>(() => Restore(bytes[..length]));
        Assert.Throws<InvalidDataException>(() => Restore(bytes[..^1]));
    }

    [Fact]
    public void NotASnapshot_SaysSo()
    {
        var e = Assert.Throws<InvalidDataException>(() => Restore("definitely not a snapshot, just some text that is longer than a snapshot header"u8.ToArray()));
        Assert.Contains("magic", e.Message);
        var bytes = Snapshot(new KvStore(StoreLimits.Default).Current);
        bytes[8] = 99; // format version
        Assert.Contains("format 99", Assert.Throws<InvalidDataException>(() => Restore(bytes)).Message);
    }

    [Fact]
    public void EmptyStore_RoundTrips()
    {
        var empty = new KvStore(StoreLimits.Default);
        var restored = Restore(Snapshot(empty.Current));
        Assert.Equal(0, restored.AppliedRevision);
        Assert.Equal(empty.Current.ComputeStateHash(), restored.Current.ComputeStateHash());
    }

    [Fact]
    public void InstallSnapshot_ReplacesTheState_AndRestartsTheHistory()
    {
        var leader = VariedStore();
        var follower = new StoreHarness(new StoreLimits { HistoryEventsMax = 10 });
        follower.PutKey("stale", "v");
        long? installedAt = null;
        follower.Store.OnSnapshotInstalled += r => installedAt = r;

        follower.Store.InstallSnapshot(new MemoryStream(Snapshot(leader.View)));

        Assert.Equal(leader.Revision, installedAt);
        Assert.Equal(leader.View.ComputeStateHash(), follower.View.ComputeStateHash());
        Assert.Equal(leader.Revision, follower.Store.OldestRetainedRevision);
        Assert.False(follower.Store.TryGetEventsAfter(1, 10, out _));
        Assert.True(follower.Store.TryGetEventsAfter(leader.Revision, 10, out var none));
        Assert.Empty(none);
    }

    [Fact]
    public void InstallSnapshot_ThatIsCorrupt_LeavesTheStateUntouched()
    {
        var h = VariedStore();
        var hash = h.View.ComputeStateHash();
        var bytes = Snapshot(VariedStore().View);
        bytes[^1] ^= 1;
        Assert.Throws<InvalidDataException>(() => h.Store.InstallSnapshot(new MemoryStream(bytes)));
        Assert.Equal(hash, h.View.ComputeStateHash());
    }

    [Fact]
    public void ViewsKeepTheirState_WhileTheStoreMovesOn()
    {
        var h = VariedStore();
        var old = h.View;
        var hash = old.ComputeStateHash();
        for (var i = 0; i < 100; i++) h.PutKey($"key/{i}", "changed");
        Assert.Equal(hash, old.ComputeStateHash());
        Assert.True(old.TryGetKey("key/1", 0, out var e));
        Assert.Equal("value 1", StoreHarness.Text(e.Value));
    }
}

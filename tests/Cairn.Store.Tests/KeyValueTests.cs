namespace Cairn.Store.Tests;

public sealed class KeyValueTests
{
    [Fact]
    public void Put_StoresBytes_AndReplaceKeepsCreateRevision()
    {
        var h = new StoreHarness();
        h.Apply(new KvPut("k", new byte[] { 0, 1, 255 }, null, default));
        var r = h.PutKey("k", "two");
        Assert.Equal(new ItemMeta(1, 2, 2), r.Current!.Meta);
        Assert.True(h.View.TryGetKey("k", 0, out var e));
        Assert.Equal("two", StoreHarness.Text(e.Value));
        Assert.Null(e.ExpiresAtUnixMs);
    }

    [Fact]
    public void ExpiredKey_IsHiddenFromReadsAtOnce_ButStoredUntilExpire()
    {
        var h = new StoreHarness();
        h.PutKey("k", "v", expiresAt: 1000);
        Assert.True(h.View.TryGetKey("k", 999, out _));
        Assert.False(h.View.TryGetKey("k", 1000, out _));
        Assert.Empty(h.View.ListKeys("", null, 10, 1000));
        Assert.Single(h.View.ListKeys("", null, 10, 999));
        Assert.Equal(1, h.View.KeyCount);
        Assert.Equal(["k"], h.View.ExpiredKeys(1000, 10));
        Assert.Empty(h.View.ExpiredKeys(999, 10));
    }

    [Fact]
    public void Expire_RemovesOnlyListedKeysThatAreDue()
    {
        var h = new StoreHarness();
        h.PutKey("due", "v", expiresAt: 100);
        h.PutKey("later", "v", expiresAt: 500);
        h.PutKey("never", "v");
        h.PutKey("unlisted", "v", expiresAt: 50);

        var r = h.Apply(new Expire(200, ["due", "later", "never", "missing"]));

        Assert.True(r.IsOk);
        Assert.Equal(3, h.View.KeyCount);
        Assert.DoesNotContain(h.View.ListKeys("", null, 10, 0), k => k.Key == "due");
        Assert.Equal(["unlisted"], h.View.ExpiredKeys(200, 10));
        var e = Assert.Single(h.Events, e => e.Type == ChangeType.Expire);
        Assert.Equal(("due", 1L, 5L), (e.Key, e.PrevRevision, e.Revision));
    }

    [Fact]
    public void Expire_KeepsAKeyRePutWithALaterExpiry_SinceTheLeaderLooked()
    {
        var h = new StoreHarness();
        h.PutKey("k", "v1", expiresAt: 100);
        var due = h.View.ExpiredKeys(150, 10);
        h.PutKey("k", "v2", expiresAt: 1000);
        h.Apply(new Expire(150, due));
        Assert.True(h.View.TryGetKey("k", 150, out var e));
        Assert.Equal("v2", StoreHarness.Text(e.Value));
        Assert.Empty(h.View.ExpiredKeys(999, 10));
    }

    [Fact]
    public void RePut_WithoutExpiry_ClearsTheExpiryIndexEntry()
    {
        var h = new StoreHarness();
        h.PutKey("k", "v1", expiresAt: 100);
        h.PutKey("k", "v2");
        Assert.Empty(h.View.ExpiredKeys(long.MaxValue, 10));
        Assert.True(h.View.TryGetKey("k", long.MaxValue, out _));
    }

    [Fact]
    public void ExpiredKeys_AreListedSoonestFirst_UpToMax()
    {
        var h = new StoreHarness();
        h.PutKey("c", "v", expiresAt: 30);
        h.PutKey("a", "v", expiresAt: 20);
        h.PutKey("b", "v", expiresAt: 10);
        h.PutKey("d", "v", expiresAt: 40);
        Assert.Equal(["b", "a"], h.View.ExpiredKeys(35, 2));
        Assert.Equal(["b", "a", "c"], h.View.ExpiredKeys(35, 10));
    }

    [Fact]
    public void Command_WithAClock_TreatsAnExpiredKeyAsAbsent_AndReputStartsANewLife()
    {
        var h = new StoreHarness();
        h.PutKey("k", "old", expiresAt: 100);
        Assert.Equal(ResultCode.AlreadyExists, h.PutKey("k", "x", precondition: Precondition.MustNotExist, nowUnixMs: 99).Code);
        h.Events.Clear();

        var r = h.PutKey("k", "new", precondition: Precondition.MustNotExist, nowUnixMs: 100);

        Assert.True(r.IsOk);
        Assert.Null(r.Previous);
        Assert.Equal(new ItemMeta(3, 3, 1), r.Current!.Meta);
        Assert.Equal([(ChangeType.Expire, 1L), (ChangeType.Put, 0L)], h.Events.Select(e => (e.Type, e.PrevRevision)));
        Assert.Empty(h.View.ExpiredKeys(long.MaxValue, 10));
    }

    [Fact]
    public void Delete_WithAClock_OfAnExpiredKey_IsNotFound()
    {
        var h = new StoreHarness();
        h.PutKey("k", "v", expiresAt: 100);
        Assert.Equal(ResultCode.NotFound, h.Apply(new KvDelete("k", default), nowUnixMs: 100).Code);
        Assert.True(h.Apply(new KvDelete("k", default), nowUnixMs: 0).IsOk); // no clock: the key is still there
    }

    [Fact]
    public void ListKeys_ScansThePrefix_AfterTheCursor()
    {
        var h = new StoreHarness();
        foreach (var k in new[] { "app/1", "app/2", "app/3", "apq", "ap", "b" }) h.PutKey(k, "v");
        Assert.Equal(["app/1", "app/2", "app/3"], h.View.ListKeys("app/", null, 10, 0).Select(e => e.Key));
        Assert.Equal(["app/2"], h.View.ListKeys("app/", "app/1", 1, 0).Select(e => e.Key));
        Assert.Equal(["app/1", "app/2"], h.View.ListKeys("app/", "a", 2, 0).Select(e => e.Key)); // cursor before the prefix
        Assert.Empty(h.View.ListKeys("app/", "app/3", 10, 0));
        Assert.Equal(6, h.View.ListKeys("", null, 100, 0).Count);
    }
}

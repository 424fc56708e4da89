using System.Text;
using Cairn.Client;

namespace Cairn.Api.Tests;

/// <summary>Cairn.Client against a real node: the calls the command-line client makes.</summary>
[Collection(ApiCollection.Name)]
public sealed class ClientTests(ApiServer server)
{
    [Fact]
    public async Task Client_DocumentLifecycle_WithCompareAndSet()
    {
        using var client = new CairnClient(server.Address);
        var c = "cl" + Guid.NewGuid().ToString("N")[..10];
        var created = await client.PutAsync(c, "a", "{\"v\":1}");
        Assert.True(created.Created);
        var generated = await client.CreateAsync(c, "{\"v\":2}");
        Assert.NotNull(generated.Id);

        var doc = await client.GetAsync(c, "a");
        Assert.Equal("{\"v\":1}", doc!.Json);
        Assert.Equal(created.Revision, doc.Revision);

        var conflict = await Assert.ThrowsAsync<CairnException>(() => client.PutAsync(c, "a", "{\"v\":3}", ifRevision: doc.Revision + 1000));
        Assert.Equal("precondition-failed", conflict.ProblemType);
        Assert.Equal(412, conflict.Status);
        var replaced = await client.PutAsync(c, "a", "{\"v\":3}", ifRevision: doc.Revision);
        Assert.False(replaced.Created);
        Assert.Equal(2, replaced.Version);

        var patched = await client.PatchAsync(c, "a", "{\"w\":true}");
        Assert.Equal(3, patched.Version);
        var (items, next) = await client.ListAsync(c, limit: 1);
        Assert.Single(items);
        Assert.NotNull(next);
        Assert.Contains((await client.CollectionsAsync()), x => x.Name == c && x.Count == 2);

        await client.DeleteAsync(c, "a");
        Assert.Null(await client.GetAsync(c, "a"));
        var missing = await Assert.ThrowsAsync<CairnException>(() => client.DeleteAsync(c, "a"));
        Assert.Equal("not-found", missing.ProblemType);
    }

    [Fact]
    public async Task Client_RawKeys_WithTtlAndPrefixListing()
    {
        using var client = new CairnClient(server.Address);
        var prefix = "cl" + Guid.NewGuid().ToString("N")[..10] + "/";
        await client.KvPutAsync(prefix + "a", Encoding.UTF8.GetBytes("hello"), ttl: TimeSpan.FromMinutes(1));
        await client.KvPutAsync(prefix + "b", [0xff]);
        var a = await client.KvGetAsync(prefix + "a");
        Assert.Equal("hello", Encoding.UTF8.GetString(a!.Value));
        var (items, _) = await client.KvListAsync(prefix);
        Assert.Equal([prefix + "a", prefix + "b"], items.Select(i => i.Key));
        Assert.Equal(new byte[] { 0xff }, items[1].Value);
        server.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(await client.KvGetAsync(prefix + "a"));
        await client.KvDeleteAsync(prefix + "b");
        Assert.Null(await client.KvGetAsync(prefix + "b"));
    }
}

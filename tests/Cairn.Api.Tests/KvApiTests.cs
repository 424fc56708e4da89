using System.Net;
using System.Net.Http.Headers;
using static Cairn.Api.Tests.ApiServer;

namespace Cairn.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class KvApiTests(ApiServer server)
{
    private readonly HttpClient _http = server.Http;
    private static string NewPrefix() => "p" + Guid.NewGuid().ToString("N")[..10] + "/";

    private static ByteArrayContent Bytes(params byte[] value)
    {
        var content = new ByteArrayContent(value);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    [Fact]
    public async Task PutGetDelete_RawBytesRoundTrip_WithSlashesInKey()
    {
        var key = NewPrefix() + "a/b c";
        using var put = await _http.PutAsync("/v1/_kv/" + key.Replace(" ", "%20"), Bytes(0, 1, 2, 255));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var rev = (await BodyAsync(put)).GetProperty("revision").GetInt64();

        using var get = await _http.GetAsync("/v1/_kv/" + key.Replace(" ", "%20"));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal($"\"{rev}\"", get.Headers.ETag!.Tag);

        using var del = await _http.DeleteAsync("/v1/_kv/" + key.Replace(" ", "%20"));
        Assert.Equal(HttpStatusCode.OK, del.StatusCode);
        using var gone = await _http.GetAsync("/v1/_kv/" + key.Replace(" ", "%20"));
        await AssertProblemAsync(gone, 404, "not-found");
    }

    [Fact]
    public async Task Ttl_HidesKeyAsSoonAsItExpires()
    {
        var key = NewPrefix() + "cache";
        using var put = await _http.PutAsync($"/v1/_kv/{key}?ttl=30s", Bytes(1));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using var live = await _http.GetAsync($"/v1/_kv/{key}");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("30000", live.Headers.GetValues("X-Cairn-Ttl-Ms").Single());

        server.Clock.Advance(TimeSpan.FromSeconds(31));
        using var expired = await _http.GetAsync($"/v1/_kv/{key}");
        await AssertProblemAsync(expired, 404, "not-found");

        // An expired key counts as absent for create-only writes even before it is reaped.
        using var recreate = new HttpRequestMessage(HttpMethod.Put, $"/v1/_kv/{key}") { Content = Bytes(2) };
        recreate.Headers.TryAddWithoutValidation("If-None-Match", "*");
        using var recreated = await _http.SendAsync(recreate);
        Assert.Equal(HttpStatusCode.Created, recreated.StatusCode);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("-1s")]
    [InlineData("abc")]
    [InlineData("5y")]
    [InlineData("99999999999d")]
    public async Task Put_WithInvalidTtl_IsRefusedAndChangesNothing(string ttl)
    {
        var before = await server.RevisionAsync();
        using var put = await _http.PutAsync($"/v1/_kv/{NewPrefix()}t?ttl={ttl}", Bytes(1));
        await AssertProblemAsync(put, 400, "invalid-parameter");
        Assert.Equal(before, await server.RevisionAsync());
    }

    [Fact]
    public async Task List_ByPrefix_PagesInKeyOrder_AndMarksBinaryValues()
    {
        var prefix = NewPrefix();
        foreach (var k in new[] { "c", "a", "b" })
        {
            using var r = await _http.PutAsync($"/v1/_kv/{prefix}{k}", Bytes((byte)k[0]));
            r.EnsureSuccessStatusCode();
        }
        using var bin = await _http.PutAsync($"/v1/_kv/{prefix}z", Bytes(0xff, 0xfe));
        using var other = await _http.PutAsync($"/v1/_kv/{NewPrefix()}a", Bytes(1));

        using var page1 = await _http.GetAsync($"/v1/_kv?prefix={Uri.EscapeDataString(prefix)}&limit=2");
        var body1 = await BodyAsync(page1);
        var keys = body1.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("key").GetString()).ToList();
        Assert.Equal([prefix + "a", prefix + "b"], keys);
        Assert.Equal("a", body1.GetProperty("items")[0].GetProperty("value").GetString());

        using var page2 = await _http.GetAsync($"/v1/_kv?prefix={Uri.EscapeDataString(prefix)}&limit=2&after={Uri.EscapeDataString(body1.GetProperty("next").GetString()!)}");
        var items2 = (await BodyAsync(page2)).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([prefix + "c", prefix + "z"], items2.Select(i => i.GetProperty("key").GetString()));
        Assert.Equal(Convert.ToBase64String(new byte[] { 0xff, 0xfe }), items2[1].GetProperty("valueBase64").GetString());
    }

    [Fact]
    public async Task Put_WithIfMatch_IsCompareAndSet()
    {
        var key = NewPrefix() + "cas";
        using var put = await _http.PutAsync($"/v1/_kv/{key}", Bytes(1));
        var rev = (await BodyAsync(put)).GetProperty("revision").GetInt64();
        using var stale = new HttpRequestMessage(HttpMethod.Put, $"/v1/_kv/{key}") { Content = Bytes(2) };
        stale.Headers.TryAddWithoutValidation("If-Match", $"\"{rev + 100}\"");
        await AssertProblemAsync(await _http.SendAsync(stale), 412, "precondition-failed");
        using var fresh = new HttpRequestMessage(HttpMethod.Put, $"/v1/_kv/{key}") { Content = Bytes(3) };
        fresh.Headers.TryAddWithoutValidation("If-Match", $"\"{rev}\"");
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(fresh)).StatusCode);
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using static Cairn.Api.Tests.ApiServer;

namespace Cairn.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class DocumentApiTests(ApiServer server)
{
    private readonly HttpClient _http = server.Http;
    private static string NewCollection() => "c" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Post_CreatesDocumentWithGeneratedSortableId_AndGetReturnsItMinified()
    {
        var c = NewCollection();
        using var created = await _http.PostAsync($"/v1/{c}", Json("{ \"name\" : \"ada\",\n \"age\": 36 }"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await BodyAsync(created);
        var id = body.GetProperty("id").GetString()!;
        Assert.Equal(26, id.Length);
        var revision = body.GetProperty("revision").GetInt64();
        Assert.Equal($"\"{revision}\"", created.Headers.ETag!.Tag);
        Assert.Equal($"/v1/{c}/{id}", created.Headers.Location!.OriginalString);
        Assert.Equal(revision.ToString(), created.Headers.GetValues("X-Cairn-Revision").Single());

        using var get = await _http.GetAsync($"/v1/{c}/{id}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("{\"name\":\"ada\",\"age\":36}", await get.Content.ReadAsStringAsync());
        Assert.Equal($"\"{revision}\"", get.Headers.ETag!.Tag);
        Assert.Equal("1", get.Headers.GetValues("X-Cairn-Version").Single());
        Assert.True(get.Headers.Contains("X-Cairn-Revision"));

        using var second = await _http.PostAsync($"/v1/{c}", Json("{}"));
        var id2 = (await BodyAsync(second)).GetProperty("id").GetString()!;
        Assert.True(string.CompareOrdinal(id, id2) < 0, "generated ids sort by creation");
    }

    [Fact]
    public async Task Put_CreatesThenReplaces_AndIfMatchIsCompareAndSet()
    {
        var c = NewCollection();
        using var create = await _http.PutAsync($"/v1/{c}/42", Json("{\"v\":1}"));
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var rev1 = (await BodyAsync(create)).GetProperty("revision").GetInt64();

        using var replace = await _http.PutAsync($"/v1/{c}/42", Json("{\"v\":2}"));
        Assert.Equal(HttpStatusCode.OK, replace.StatusCode);
        var replaced = await BodyAsync(replace);
        Assert.Equal(2, replaced.GetProperty("version").GetInt64());
        Assert.Equal(rev1, replaced.GetProperty("createRevision").GetInt64());
        var rev2 = replaced.GetProperty("revision").GetInt64();

        // A stale If-Match is refused with the current revision, and nothing changes.
        var before = await server.RevisionAsync();
        using var stale = await Send(HttpMethod.Put, $"/v1/{c}/42", "{\"v\":3}", ("If-Match", $"\"{rev1}\""));
        var problem = await AssertProblemAsync(stale, 412, "precondition-failed");
        Assert.Equal(rev2, problem.GetProperty("currentRevision").GetInt64());
        Assert.Equal($"\"{rev2}\"", stale.Headers.ETag!.Tag);
        Assert.Equal("{\"v\":2}", await GetText($"/v1/{c}/42"));

        using var fresh = await Send(HttpMethod.Put, $"/v1/{c}/42", "{\"v\":3}", ("If-Match", $"\"{rev2}\""));
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal("{\"v\":3}", await GetText($"/v1/{c}/42"));
        Assert.True(await server.RevisionAsync() > before);
    }

    [Fact]
    public async Task Put_WithIfNoneMatchStar_CreatesOnlyOnce()
    {
        var c = NewCollection();
        using var first = await Send(HttpMethod.Put, $"/v1/{c}/x", "{\"a\":1}", ("If-None-Match", "*"));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        using var again = await Send(HttpMethod.Put, $"/v1/{c}/x", "{\"a\":2}", ("If-None-Match", "*"));
        await AssertProblemAsync(again, 412, "already-exists");
        Assert.Equal("{\"a\":1}", await GetText($"/v1/{c}/x"));
    }

    [Fact]
    public async Task IfMatch_OnMissingDocument_IsNotFound()
    {
        using var response = await Send(HttpMethod.Put, $"/v1/{NewCollection()}/nope", "{}", ("If-Match", "\"5\""));
        await AssertProblemAsync(response, 404, "not-found");
    }

    [Fact]
    public async Task Patch_AppliesMergePatch_AndRefusesMissingOrStale()
    {
        var c = NewCollection();
        using var put = await _http.PutAsync($"/v1/{c}/p", Json("{\"a\":1,\"b\":{\"c\":2,\"d\":3},\"e\":[1]}"));
        var rev = (await BodyAsync(put)).GetProperty("revision").GetInt64();

        using var patch = await Send(HttpMethod.Patch, $"/v1/{c}/p", "{\"a\":null,\"b\":{\"c\":9},\"f\":true}", type: "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        using var doc = JsonDocument.Parse(await GetText($"/v1/{c}/p"));
        var root = doc.RootElement;
        Assert.False(root.TryGetProperty("a", out _));
        Assert.Equal(9, root.GetProperty("b").GetProperty("c").GetInt32());
        Assert.Equal(3, root.GetProperty("b").GetProperty("d").GetInt32());
        Assert.True(root.GetProperty("f").GetBoolean());

        using var stale = await Send(HttpMethod.Patch, $"/v1/{c}/p", "{\"z\":1}", ("If-Match", $"\"{rev}\""));
        await AssertProblemAsync(stale, 412, "precondition-failed");
        using var missing = await Send(HttpMethod.Patch, $"/v1/{c}/none", "{\"z\":1}");
        await AssertProblemAsync(missing, 404, "not-found");
        using var notObject = await Send(HttpMethod.Patch, $"/v1/{c}/p", "[1,2]");
        await AssertProblemAsync(notObject, 400, "invalid-json");
    }

    [Fact]
    public async Task Delete_RemovesDocument_IfMatchGuardsIt_AndMissingIsNotFound()
    {
        var c = NewCollection();
        using var put = await _http.PutAsync($"/v1/{c}/d", Json("{}"));
        var rev = (await BodyAsync(put)).GetProperty("revision").GetInt64();

        using var wrong = await Send(HttpMethod.Delete, $"/v1/{c}/d", null, ("If-Match", $"\"{rev + 1000}\""));
        await AssertProblemAsync(wrong, 412, "precondition-failed");

        using var delete = await Send(HttpMethod.Delete, $"/v1/{c}/d", null, ("If-Match", $"\"{rev}\""));
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        Assert.Equal(rev, (await BodyAsync(delete)).GetProperty("prevRevision").GetInt64());
        Assert.True(delete.Headers.Contains("X-Cairn-Revision"));

        using var gone = await _http.GetAsync($"/v1/{c}/d");
        await AssertProblemAsync(gone, 404, "not-found");
        using var again = await _http.DeleteAsync($"/v1/{c}/d");
        await AssertProblemAsync(again, 404, "not-found");
    }

    [Fact]
    public async Task List_ByIdPrefix_PagesWithinThePrefix()
    {
        var c = NewCollection();
        foreach (var id in new[] { "a", "ab1", "ab2", "ab3", "ac", "b" })
        {
            using var r = await _http.PutAsync($"/v1/{c}/{id}", Json("{}"));
            r.EnsureSuccessStatusCode();
        }
        var seen = new List<string>();
        string? after = null;
        for (var page = 0; page < 10; page++)
        {
            var body = await BodyAsync(await _http.GetAsync($"/v1/{c}?prefix=ab&limit=2" + (after is null ? "" : "&after=" + after)));
            seen.AddRange(body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!));
            if (!body.TryGetProperty("next", out var next)) break;
            after = next.GetString();
        }
        Assert.Equal(["ab1", "ab2", "ab3"], seen);
        var before = await BodyAsync(await _http.GetAsync($"/v1/{c}?prefix=ab&after=a"));
        Assert.Equal(3, before.GetProperty("items").GetArrayLength());
        var none = await BodyAsync(await _http.GetAsync($"/v1/{c}?prefix=zz"));
        Assert.Equal(0, none.GetProperty("items").GetArrayLength());
        using var tooLong = await _http.GetAsync($"/v1/{c}?prefix={new string('x', 600)}");
        await AssertProblemAsync(tooLong, 400, "invalid-key");
    }

    [Fact]
    public async Task List_PagesByIdWithCursor_AndCollectionsShowCounts()
    {
        var c = NewCollection();
        foreach (var id in new[] { "b", "a", "d", "c", "e" })
        {
            using var r = await _http.PutAsync($"/v1/{c}/{id}", Json($"{{\"id\":\"{id}\"}}"));
            r.EnsureSuccessStatusCode();
        }
        var seen = new List<string>();
        string? after = null;
        for (var page = 0; page < 10; page++)
        {
            using var response = await _http.GetAsync($"/v1/{c}?limit=2" + (after is null ? "" : "&after=" + after));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await BodyAsync(response);
            var items = body.GetProperty("items").EnumerateArray().ToList();
            Assert.True(items.Count <= 2);
            foreach (var item in items)
            {
                seen.Add(item.GetProperty("id").GetString()!);
                Assert.Equal(item.GetProperty("id").GetString(), item.GetProperty("document").GetProperty("id").GetString());
            }
            if (!body.TryGetProperty("next", out var next)) break;
            after = next.GetString();
        }
        Assert.Equal(["a", "b", "c", "d", "e"], seen);

        using var collections = await _http.GetAsync("/v1/_collections");
        var list = (await BodyAsync(collections)).GetProperty("collections").EnumerateArray()
            .Single(x => x.GetProperty("name").GetString() == c);
        Assert.Equal(5, list.GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task Get_WithIfNoneMatchOfCurrentRevision_IsNotModified()
    {
        var c = NewCollection();
        using var put = await _http.PutAsync($"/v1/{c}/n", Json("{}"));
        var etag = put.Headers.ETag!.Tag;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/{c}/n");
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag));
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task RetriedCreate_WithSameRequestId_AppliesOnce()
    {
        var c = NewCollection();
        using var first = await Send(HttpMethod.Post, $"/v1/{c}", "{\"n\":1}", ("X-Cairn-Request-Id", "req-" + c));
        using var retry = await Send(HttpMethod.Post, $"/v1/{c}", "{\"n\":1}", ("X-Cairn-Request-Id", "req-" + c));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var a = await BodyAsync(first);
        var b = await BodyAsync(retry);
        Assert.Equal(a.GetProperty("id").GetString(), b.GetProperty("id").GetString());
        Assert.Equal(a.GetProperty("revision").GetInt64(), b.GetProperty("revision").GetInt64());
        using var list = await _http.GetAsync($"/v1/{c}");
        Assert.Single((await BodyAsync(list)).GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("linearizable")]
    [InlineData("lease")]
    [InlineData("stale")]
    [InlineData("session&minRevision=1")]
    public async Task Get_AcceptsEveryConsistencyLevel(string level)
    {
        var c = NewCollection();
        using var put = await _http.PutAsync($"/v1/{c}/r", Json("{\"x\":1}"));
        using var get = await _http.GetAsync($"/v1/{c}/r?consistency={level}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
    }

    private async Task<string> GetText(string path)
    {
        using var response = await _http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, string? json, params (string Name, string Value)[] headers) =>
        Send(method, path, json, "application/json", headers);

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, string? json, string type, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = Json(json, type);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return _http.SendAsync(request);
    }
}

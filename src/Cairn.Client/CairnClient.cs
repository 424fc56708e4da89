using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Cairn.Client;

/// <summary>
/// A small client for Cairn's HTTP API. Any node of a cluster can be given: every node serves
/// every request. Errors come back as <see cref="CairnException"/> carrying the problem type.
/// </summary>
/// <remarks>Thread-safe (one <see cref="HttpClient"/>).</remarks>
public sealed class CairnClient(HttpClient http) : IDisposable
{
    public CairnClient(Uri server) : this(new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) })
    {
    }

    public HttpClient Http { get; } = http;

    public async Task<DocumentResult?> GetAsync(string collection, string id, string? consistency = null, CancellationToken ct = default)
    {
        using var response = await Http.GetAsync(DocPath(collection, id) + Consistency(consistency), ct);
        if (response.StatusCode == HttpStatusCode.NotFound && await IsProblemAsync(response, "not-found", ct)) return null;
        await EnsureAsync(response, ct);
        return new DocumentResult(collection, id, await response.Content.ReadAsStringAsync(ct), Revision(response.Headers.ETag));
    }

    /// <summary>Creates or replaces a document; with <paramref name="ifRevision"/> only if it is still at that revision.</summary>
    public Task<WriteResult> PutAsync(string collection, string id, string json, long? ifRevision = null, bool createOnly = false, CancellationToken ct = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, DocPath(collection, id)) { Content = Json(json) };
        Preconditions(request, ifRevision, createOnly);
        return SendWriteAsync(request, ct);
    }

    public Task<WriteResult> CreateAsync(string collection, string json, CancellationToken ct = default) =>
        SendWriteAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/" + Uri.EscapeDataString(collection)) { Content = Json(json) }, ct);

    public Task<WriteResult> PatchAsync(string collection, string id, string mergePatch, long? ifRevision = null, CancellationToken ct = default)
    {
        var content = new StringContent(mergePatch, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
        var request = new HttpRequestMessage(HttpMethod.Patch, DocPath(collection, id)) { Content = content };
        Preconditions(request, ifRevision, false);
        return SendWriteAsync(request, ct);
    }

    public async Task<long> DeleteAsync(string collection, string id, long? ifRevision = null, CancellationToken ct = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, DocPath(collection, id));
        Preconditions(request, ifRevision, false);
        using var response = await Http.SendAsync(request, ct);
        await EnsureAsync(response, ct);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return doc.RootElement.GetProperty("revision").GetInt64();
    }

    /// <summary>One page of a collection, ordered by id. Pass the returned <c>Next</c> as <paramref name="after"/> for the next page.</summary>
    public async Task<(IReadOnlyList<DocumentResult> Items, string? Next)> ListAsync(string collection, int? limit = null, string? after = null, CancellationToken ct = default)
    {
        var query = Query(("limit", limit?.ToString()), ("after", after));
        using var doc = await GetJsonAsync("/v1/" + Uri.EscapeDataString(collection) + query, ct);
        var items = doc.RootElement.GetProperty("items").EnumerateArray()
            .Select(i => new DocumentResult(collection, i.GetProperty("id").GetString()!, i.GetProperty("document").GetRawText(), i.GetProperty("revision").GetInt64()))
            .ToList();
        return (items, NextOf(doc.RootElement));
    }

    public async Task<IReadOnlyList<(string Name, long Count)>> CollectionsAsync(CancellationToken ct = default)
    {
        using var doc = await GetJsonAsync("/v1/_collections", ct);
        return doc.RootElement.GetProperty("collections").EnumerateArray()
            .Select(c => (c.GetProperty("name").GetString()!, c.GetProperty("count").GetInt64())).ToList();
    }

    public async Task<KeyResult?> KvGetAsync(string key, string? consistency = null, CancellationToken ct = default)
    {
        using var response = await Http.GetAsync(KeyPath(key) + Consistency(consistency), ct);
        if (response.StatusCode == HttpStatusCode.NotFound && await IsProblemAsync(response, "not-found", ct)) return null;
        await EnsureAsync(response, ct);
        return new KeyResult(key, await response.Content.ReadAsByteArrayAsync(ct), Revision(response.Headers.ETag));
    }

    public async Task<long> KvPutAsync(string key, byte[] value, TimeSpan? ttl = null, long? ifRevision = null, bool createOnly = false, CancellationToken ct = default)
    {
        var path = KeyPath(key) + (ttl is { } t ? $"?ttl={(long)t.TotalMilliseconds}ms" : "");
        var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new ByteArrayContent(value) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        Preconditions(request, ifRevision, createOnly);
        return (await SendWriteAsync(request, ct)).Revision;
    }

    public async Task<long> KvDeleteAsync(string key, long? ifRevision = null, CancellationToken ct = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, KeyPath(key));
        Preconditions(request, ifRevision, false);
        using var response = await Http.SendAsync(request, ct);
        await EnsureAsync(response, ct);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return doc.RootElement.GetProperty("revision").GetInt64();
    }

    public async Task<(IReadOnlyList<KeyResult> Items, string? Next)> KvListAsync(string prefix = "", int? limit = null, string? after = null, CancellationToken ct = default)
    {
        using var doc = await GetJsonAsync("/v1/_kv" + Query(("prefix", prefix), ("limit", limit?.ToString()), ("after", after)), ct);
        var items = doc.RootElement.GetProperty("items").EnumerateArray().Select(i => new KeyResult(
            i.GetProperty("key").GetString()!,
            i.TryGetProperty("value", out var v) ? Encoding.UTF8.GetBytes(v.GetString()!) : Convert.FromBase64String(i.GetProperty("valueBase64").GetString()!),
            i.GetProperty("revision").GetInt64())).ToList();
        return (items, NextOf(doc.RootElement));
    }

    private async Task<WriteResult> SendWriteAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        {
            using var response = await Http.SendAsync(request, ct);
            await EnsureAsync(response, ct);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var root = doc.RootElement;
            return new WriteResult(
                root.TryGetProperty("id", out var id) ? id.GetString() : root.TryGetProperty("key", out var k) ? k.GetString() : null,
                root.GetProperty("revision").GetInt64(),
                root.GetProperty("version").GetInt64(),
                response.StatusCode == HttpStatusCode.Created);
        }
    }

    private async Task<JsonDocument> GetJsonAsync(string path, CancellationToken ct)
    {
        using var response = await Http.GetAsync(path, ct);
        await EnsureAsync(response, ct);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
    }

    private static async Task EnsureAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync(ct);
        throw CairnException.From((int)response.StatusCode, body);
    }

    private static async Task<bool> IsProblemAsync(HttpResponseMessage response, string type, CancellationToken ct)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json") return false;
        var e = CairnException.From((int)response.StatusCode, await response.Content.ReadAsStringAsync(ct));
        return e.ProblemType == type;
    }

    private static void Preconditions(HttpRequestMessage request, long? ifRevision, bool createOnly)
    {
        if (ifRevision is { } r) request.Headers.TryAddWithoutValidation("If-Match", $"\"{r}\"");
        if (createOnly) request.Headers.TryAddWithoutValidation("If-None-Match", "*");
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static long Revision(EntityTagHeaderValue? etag) =>
        etag is not null && long.TryParse(etag.Tag.Trim('"'), out var r) ? r : 0;

    private static string DocPath(string collection, string id) => $"/v1/{Uri.EscapeDataString(collection)}/{Uri.EscapeDataString(id)}";

    private static string KeyPath(string key) => "/v1/_kv/" + string.Join('/', key.Split('/').Select(Uri.EscapeDataString));

    private static string Consistency(string? level) => level is null ? "" : "?consistency=" + Uri.EscapeDataString(level);

    private static string Query(params (string Name, string? Value)[] parts)
    {
        var present = parts.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => p.Name + "=" + Uri.EscapeDataString(p.Value!)).ToList();
        return present.Count == 0 ? "" : "?" + string.Join('&', present);
    }

    private static string? NextOf(JsonElement root) =>
        root.TryGetProperty("next", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;

    public void Dispose() => Http.Dispose();
}

public sealed record DocumentResult(string Collection, string Id, string Json, long Revision);

public sealed record KeyResult(string Key, byte[] Value, long Revision);

public sealed record WriteResult(string? Id, long Revision, long Version, bool Created);

/// <summary>An error answer from the server: the problem type (e.g. <c>precondition-failed</c>), status and detail.</summary>
public sealed class CairnException(int status, string problemType, string detail) : Exception($"{status} {problemType}: {detail}")
{
    public int Status { get; } = status;
    /// <summary>The last segment of the problem type URI, e.g. <c>not-found</c>; <c>http-error</c> when the body was not a problem.</summary>
    public string ProblemType { get; } = problemType;
    public string Detail { get; } = detail;

    public static CairnException From(int status, string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            var type = root.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
            var detail = root.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : body;
            return new CairnException(status, type[(type.LastIndexOf(':') + 1)..], detail);
        }
        catch (JsonException)
        {
            return new CairnException(status, "http-error", body.Length > 200 ? body[..200] : body);
        }
    }
}

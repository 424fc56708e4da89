using System.Net.Http.Headers;
using System.Text;
using Cairn.SystemTests.Harness;

namespace Cairn.FaultTests.Hostile;

/// <summary>One hostile request and what it must get: a 4xx, and (for the API's own refusals) problem+json of a given kind.</summary>
public sealed record HostileCase(string Label, HttpMethod Method, string Path, byte[]? Body, string? ContentType, int Status, string? ProblemKind,
    IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// The malformed and oversized HTTP requests of S12, sent with a normal HttpClient (the raw-socket ones are in
/// <see cref="HostileSlowClients"/>), and the check of each answer. Stateless.
/// </summary>
public static class HostileRequests
{
    public static IReadOnlyList<HostileCase> Cases(int bodyBytesMax)
    {
        var json = "application/json";
        return
        [
            new("oversized raw value", HttpMethod.Put, "v1/_kv/hostile/big", new byte[bodyBytesMax + 1024], "application/octet-stream", 413, "too-large"),
            new("oversized document", HttpMethod.Put, "v1/hostile/big", Utf8("{\"a\":\"" + new string('x', bodyBytesMax + 10) + "\"}"), json, 413, "too-large"),
            new("malformed JSON", HttpMethod.Put, "v1/hostile/d1", Utf8("{not json"), json, 400, "invalid-json"),
            new("truncated JSON", HttpMethod.Put, "v1/hostile/d1", Utf8("{\"a\":[1,2"), json, 400, "invalid-json"),
            new("deep JSON (1,000 levels)", HttpMethod.Put, "v1/hostile/d1", Utf8("{\"a\":" + new string('[', 1000) + new string(']', 1000) + "}"), json, 400, "json-too-deep"),
            new("a JSON array as a document", HttpMethod.Put, "v1/hostile/d1", Utf8("[1,2,3]"), json, 400, "invalid-json"),
            new("invalid UTF-8 in a document", HttpMethod.Put, "v1/hostile/d1", [.. Utf8("{\"a\":\""), 0xff, 0xfe, .. Utf8("\"}")], json, 400, "invalid-json"),
            new("a document as text/plain", HttpMethod.Put, "v1/hostile/d1", Utf8("{\"a\":1}"), "text/plain", 415, "unsupported-media-type"),
            new("bad collection name", HttpMethod.Put, "v1/bad%20name!/d1", Utf8("{\"a\":1}"), json, 400, "invalid-name"),
            new("key too long", HttpMethod.Put, "v1/_kv/" + new string('k', 600), Utf8("v"), "application/octet-stream", 400, "invalid-key"),
            new("reserved key", HttpMethod.Put, "v1/_kv/_cairn/members/evil", Utf8("{}"), "application/octet-stream", 400, "invalid-key"),
            new("control character in a key", HttpMethod.Put, "v1/_kv/a%01b", Utf8("v"), "application/octet-stream", 400, "invalid-key"),
            new("malformed If-Match", HttpMethod.Put, "v1/_kv/hostile/k", Utf8("v"), "application/octet-stream", 400, "invalid-header",
                new Dictionary<string, string> { ["If-Match"] = "garbage" }),
            new("request id too long", HttpMethod.Put, "v1/_kv/hostile/k", Utf8("v"), "application/octet-stream", 400, "invalid-header",
                new Dictionary<string, string> { ["X-Cairn-Request-Id"] = new string('r', 200) }),
            new("unknown consistency", HttpMethod.Get, "v1/_kv/hostile/k?consistency=bogus", null, null, 400, "invalid-parameter"),
            new("malformed transaction", HttpMethod.Post, "v1/_txn", Utf8("{\"bogus\":1}"), json, 400, "invalid-transaction"),
            new("bad watch parameter", HttpMethod.Get, "v1/_watch?fromRevision=-5", null, null, 400, "invalid-parameter"),
            new("oversized header (64 KiB)", HttpMethod.Get, "v1/_kv/hostile/k", null, null, 431, null,
                new Dictionary<string, string> { ["X-Padding"] = new string('h', 64 * 1024) }),
        ];
    }

    /// <summary>Sends the case; returns null when the answer is right, else what was wrong.</summary>
    public static async Task<string?> CheckAsync(HttpClient client, HostileCase c)
    {
        using var request = new HttpRequestMessage(c.Method, c.Path);
        if (c.Body is not null)
        {
            request.Content = new ByteArrayContent(c.Body);
            if (c.ContentType is not null) request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(c.ContentType);
        }
        foreach (var (name, value) in c.Headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(name, value);
        try
        {
            using var deadline = new CancellationTokenSource(Api.CallTimeout);
            using var response = await client.SendAsync(request, deadline.Token);
            var body = await response.Content.ReadAsStringAsync(deadline.Token);
            var status = (int)response.StatusCode;
            if (status != c.Status) return $"{c.Label}: expected {c.Status}, got {status} {Trim(body)}";
            if (c.ProblemKind is null) return null;
            if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                return $"{c.Label}: {status} without problem+json ({response.Content.Headers.ContentType}): {Trim(body)}";
            return body.Contains($"\"urn:cairn:problem:{c.ProblemKind}\"", StringComparison.Ordinal) ? null
                : $"{c.Label}: expected problem type {c.ProblemKind}, got {Trim(body)}";
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            return $"{c.Label}: no answer ({e.GetType().Name}: {e.Message})";
        }
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static string Trim(string s) => s.Length > 200 ? s[..200] + "…" : s;
}

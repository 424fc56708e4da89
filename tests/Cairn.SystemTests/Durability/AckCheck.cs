using System.Net;
using System.Text.Json;
using Cairn.SystemTests.Harness;

namespace Cairn.SystemTests.Durability;

/// <summary>What a read-back found: acknowledged writes present, and how the "maybe" outcomes resolved.</summary>
public sealed record AckCheckResult(int Acked, int MaybePresent, int MaybeAbsent, long Revision)
{
    public override string ToString() =>
        $"{Acked} acknowledged writes all present; of the outcome-unknown ones {MaybePresent} present, {MaybeAbsent} absent; read at revision {Revision}";
}

/// <summary>
/// Reads a whole collection back with linearizable paged list reads and compares it with an <see cref="AckedWriter"/>'s
/// record: every acknowledged write present with its body, every document present was either acknowledged or had an
/// unknown outcome (nothing appears that nobody wrote).
/// </summary>
public static class AckCheck
{
    private const int PageItems = 1000;

    /// <summary>id → (document JSON, mod revision), read page by page at the linearizable level (each page retried while it answers 503).</summary>
    public static async Task<(Dictionary<string, (string Json, long Revision)> Documents, long Revision)> ReadCollectionAsync(HttpClient client, string collection)
    {
        var documents = new Dictionary<string, (string, long)>();
        string? after = null;
        long revision = 0;
        do
        {
            var path = $"v1/{collection}?consistency=linearizable&limit={PageItems}" + (after is null ? "" : $"&after={Uri.EscapeDataString(after)}");
            var response = await ReadRetryingAsync(client, path);
            using (response)
            {
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} on {client.BaseAddress}: {(int)response.StatusCode} {body}");
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                revision = Math.Max(revision, root.GetProperty("revision").GetInt64());
                foreach (var item in root.GetProperty("items").EnumerateArray())
                    documents[item.GetProperty("id").GetString()!] = (item.GetProperty("document").GetRawText(), item.GetProperty("revision").GetInt64());
                after = root.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
            }
        }
        while (after is not null);
        return (documents, revision);
    }

    // A node that just restarted may answer 503 for a moment (no leader known yet); that is retried, nothing else is.
    private static Task<HttpResponseMessage> ReadRetryingAsync(HttpClient client, string path) =>
        Poll.UntilAsync($"GET {client.BaseAddress}{path} answered", TestCluster.DefaultWait, async () =>
        {
            var r = await client.SendAsync(HttpMethod.Get, path);
            if (r.StatusCode != HttpStatusCode.ServiceUnavailable) return (true, r, "");
            var state = $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}";
            r.Dispose();
            return (false, r, state);
        });

    public static async Task<AckCheckResult> AssertAckedPresentAsync(TestCluster cluster, string node, AckedWriter writer)
    {
        var (documents, revision) = await ReadCollectionAsync(cluster.Client(node), writer.Collection);
        var prefix = $"v1/{writer.Collection}/";
        var missing = new List<string>();
        foreach (var (path, (body, _)) in writer.Acked)
        {
            var id = path[prefix.Length..];
            if (!documents.TryGetValue(id, out var found)) missing.Add(path);
            else Assert.True(found.Json == body, $"{path} on {node}: acknowledged {body}, read {found.Json}");
        }
        Assert.True(missing.Count == 0,
            $"{missing.Count} of {writer.Acked.Count} acknowledged writes missing on {node} at revision {revision}: {string.Join(", ", missing.Take(20))}");
        var maybe = writer.Maybe.Select(p => p[prefix.Length..]).ToHashSet();
        var phantoms = documents.Keys.Where(id => !writer.Acked.ContainsKey(prefix + id) && !maybe.Contains(id)).ToList();
        Assert.True(phantoms.Count == 0, $"{node} holds documents nobody wrote: {string.Join(", ", phantoms.Take(20))}");
        var maybePresent = maybe.Count(documents.ContainsKey);
        return new AckCheckResult(writer.Acked.Count, maybePresent, maybe.Count - maybePresent, revision);
    }
}

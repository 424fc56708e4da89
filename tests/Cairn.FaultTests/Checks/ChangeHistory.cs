using System.Net.Http.Headers;
using System.Text.Json;

namespace Cairn.FaultTests.Checks;

/// <summary>One change of the committed log as a node's change feed reports it (key without the run's prefix).</summary>
public sealed record HistoryEvent(long Revision, string Type, string Key, string? Value)
{
    public override string ToString() => $"{Type} {Key}{(Value is null ? "" : $"=\"{Value}\"")} @{Revision}";
}

/// <summary>
/// The changes one node applied in (<see cref="CoveredAfter"/>, <see cref="CoveredTo"/>]: its change feed replayed
/// from the oldest revision it retains (0 unless it restarted or installed a snapshot since: its history restarts
/// there). Should the feed still answer with a snapshot, coverage starts after the snapshot's revision.
/// </summary>
public sealed record NodeHistory(string Node, long CoveredAfter, long CoveredTo, IReadOnlyList<HistoryEvent> Events, string? Problem)
{
    public bool Covers(long revision) => Problem is null && revision > CoveredAfter && revision <= CoveredTo;

    /// <summary>
    /// Reads the feed (SSE) from the oldest revision the node still retains (found by bisection when it restarted or
    /// installed a snapshot since revision 0) until a progress message at or past <paramref name="target"/>.
    /// </summary>
    public static async Task<NodeHistory> ReadAsync(HttpClient client, string node, string prefix, long target, TimeSpan timeout)
    {
        long from = 0;
        if (!await ReachesBackAsync(client, prefix, 0))
        {
            long lo = 0, hi = target; // lo does not reach back; hi is assumed to (the node applied up to it)
            while (hi - lo > 1)
            {
                var mid = lo + ((hi - lo) / 2);
                if (await ReachesBackAsync(client, prefix, mid)) hi = mid;
                else lo = mid;
            }
            from = hi;
        }
        return await ReadFromAsync(client, node, prefix, from, target, timeout);
    }

    // True when a watch resuming after `from` is served from the retained history (its first message after "start"
    // is not a snapshot-begin).
    private static async Task<bool> ReachesBackAsync(HttpClient client, string prefix, long from)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            using var request = Request(prefix, from);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            if (!response.IsSuccessStatusCode) return false;
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(deadline.Token));
            while (await reader.ReadLineAsync(deadline.Token) is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
                using var doc = JsonDocument.Parse(line.AsMemory(6));
                var type = doc.RootElement.GetProperty("type").GetString();
                if (type != "start") return type != "snapshot-begin";
            }
            return false;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or JsonException or KeyNotFoundException)
        {
            return false;
        }
    }

    private static HttpRequestMessage Request(string prefix, long from)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"v1/_watch?prefix={Uri.EscapeDataString(prefix)}&fromRevision={from}&values=true");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return request;
    }

    private static async Task<NodeHistory> ReadFromAsync(HttpClient client, string node, string prefix, long from, long target, TimeSpan timeout)
    {
        var events = new List<HistoryEvent>();
        var coveredAfter = from;
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            using var request = Request(prefix, from);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            if (!response.IsSuccessStatusCode)
                return new NodeHistory(node, 0, 0, [], $"watch answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(deadline.Token)}");
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(deadline.Token));
            var inSnapshot = false;
            while (await reader.ReadLineAsync(deadline.Token) is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
                using var doc = JsonDocument.Parse(line.AsMemory(6));
                var m = doc.RootElement;
                var type = m.GetProperty("type").GetString();
                var revision = m.TryGetProperty("revision", out var r) ? r.GetInt64() : 0;
                switch (type)
                {
                    case "snapshot-begin":
                        inSnapshot = true;
                        coveredAfter = revision;
                        events.Clear();
                        break;
                    case "snapshot-end":
                        inSnapshot = false;
                        break;
                    case "progress" when revision >= target:
                        return new NodeHistory(node, coveredAfter, revision, events, null);
                    case "put" or "delete" or "expire" when !inSnapshot && !m.TryGetProperty("snapshot", out _):
                        var key = m.GetProperty("key").GetString()!;
                        var value = m.TryGetProperty("value", out var v) ? v.GetString() : null;
                        events.Add(new HistoryEvent(revision, type, key.StartsWith(prefix, StringComparison.Ordinal) ? key[prefix.Length..] : key, value));
                        break;
                }
            }
            return new NodeHistory(node, coveredAfter, 0, events, "the feed ended before reaching the target revision");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or JsonException or KeyNotFoundException)
        {
            return new NodeHistory(node, coveredAfter, 0, events, $"{e.GetType().Name}: {e.Message}");
        }
    }
}

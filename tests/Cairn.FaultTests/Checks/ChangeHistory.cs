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
/// from revision 0. A node whose history no longer reaches back (it installed a snapshot or restarted from one) answers
/// with a snapshot first; the events after that snapshot's revision are still complete, so coverage starts there.
/// </summary>
public sealed record NodeHistory(string Node, long CoveredAfter, long CoveredTo, IReadOnlyList<HistoryEvent> Events, string? Problem)
{
    public bool Covers(long revision) => Problem is null && revision > CoveredAfter && revision <= CoveredTo;

    /// <summary>Reads the feed (SSE) until a progress message at or past <paramref name="target"/>; bounded by <paramref name="timeout"/>.</summary>
    public static async Task<NodeHistory> ReadAsync(HttpClient client, string node, string prefix, long target, TimeSpan timeout)
    {
        var events = new List<HistoryEvent>();
        long coveredAfter = 0;
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/_watch?prefix={Uri.EscapeDataString(prefix)}&fromRevision=0&values=true");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
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

using System.Text.Json;

namespace Cairn.Api.Tests.Watch;

/// <summary>One message of the feed as a test sees it, with the resume id its transport carried (SSE id), if any.</summary>
public sealed record WatchMsg(string Type, long Revision, string? Collection, string? Id, string? Key, bool More, bool Snapshot, long? ResumeId, JsonElement Json)
{
    public static WatchMsg Parse(ReadOnlySpan<byte> utf8, long? resumeId)
    {
        var root = JsonDocument.Parse(utf8.ToArray()).RootElement.Clone();
        return new WatchMsg(
            root.GetProperty("type").GetString()!,
            root.GetProperty("revision").GetInt64(),
            Str(root, "collection"), Str(root, "id"), Str(root, "key"),
            root.TryGetProperty("more", out var m) && m.GetBoolean(),
            root.TryGetProperty("snapshot", out var s) && s.GetBoolean(),
            resumeId, root);
    }

    public bool IsChange => Type is "put" or "delete" or "expire" && !Snapshot;

    /// <summary>"c/id" for a document, "key" for a raw key.</summary>
    public string Target => Collection is null ? Key! : $"{Collection}/{Id}";

    public string? ValueText => Json.TryGetProperty("value", out var v) ? (v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()) : null;

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() : null;

    public override string ToString() => $"{Type}@{Revision}{(Collection is null && Key is null ? "" : " " + Target)}{(Snapshot ? " (snapshot)" : "")}{(More ? " more" : "")}";
}

/// <summary>The state a client rebuilds from the messages: snapshot-begin clears, puts set, deletes and expires remove.</summary>
public sealed class ClientState
{
    public Dictionary<string, (long Revision, string? Value)> Items { get; } = new(StringComparer.Ordinal);
    public long Revision { get; private set; }
    public int Snapshots { get; private set; }

    public void Apply(WatchMsg m)
    {
        switch (m.Type)
        {
            case "snapshot-begin":
                Items.Clear();
                Snapshots++;
                break;
            case "put":
                Items[m.Target] = (m.Revision, m.ValueText);
                if (!m.Snapshot) Revision = m.Revision;
                break;
            case "delete" or "expire":
                Items.Remove(m.Target);
                Revision = m.Revision;
                break;
            case "snapshot-end" or "progress" or "start":
                Revision = Math.Max(Revision, m.Revision);
                break;
        }
    }
}

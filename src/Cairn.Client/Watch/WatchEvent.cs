using System.Text;
using System.Text.Json;

namespace Cairn.Client;

public enum WatchEventType
{
    /// <summary>A connection (or reconnection) began; <see cref="WatchEvent.Revision"/> is where it starts.</summary>
    Start,
    Put,
    Delete,
    Expire,
    /// <summary>Everything up to <see cref="WatchEvent.Revision"/> has been delivered.</summary>
    Progress,
    /// <summary>The watcher fell behind; the server resynchronizes it (replay, or a snapshot).</summary>
    Overflow,
    /// <summary>Drop what you hold for this watch: the items up to <see cref="SnapshotEnd"/> are the state at <see cref="WatchEvent.Revision"/>.</summary>
    SnapshotBegin,
    SnapshotEnd,
}

/// <summary>One message of the change feed.</summary>
/// <param name="Revision">For changes, the revision of the write; for snapshot items, the item's mod revision.</param>
/// <param name="Snapshot">A put that is an item of a snapshot (between SnapshotBegin and SnapshotEnd), not a change.</param>
/// <param name="More">Another change of the same revision (the same transaction) follows.</param>
/// <param name="Value">Documents: UTF-8 JSON; raw keys: the bytes. Null unless values were requested (and for deletes).</param>
/// <param name="Json">The message as the server sent it.</param>
public sealed record WatchEvent(WatchEventType Type, long Revision, string? Collection, string? Id, string? Key, long PrevRevision,
    bool Snapshot, bool More, ReadOnlyMemory<byte>? Value, string Json)
{
    public bool IsChange => Type is WatchEventType.Put or WatchEventType.Delete or WatchEventType.Expire && !Snapshot;

    public string? ValueText => Value is { } v ? Encoding.UTF8.GetString(v.Span) : null;

    /// <summary>A revision the watch can resume after once this message has been handled (null: none).</summary>
    internal long? ResumePoint => Type switch
    {
        WatchEventType.Start or WatchEventType.Progress or WatchEventType.SnapshotEnd => Revision,
        WatchEventType.Put or WatchEventType.Delete or WatchEventType.Expire when !Snapshot && !More => Revision,
        _ => null,
    };

    internal static WatchEvent Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var type = root.GetProperty("type").GetString() switch
        {
            "start" => WatchEventType.Start,
            "put" => WatchEventType.Put,
            "delete" => WatchEventType.Delete,
            "expire" => WatchEventType.Expire,
            "progress" => WatchEventType.Progress,
            "overflow" => WatchEventType.Overflow,
            "snapshot-begin" => WatchEventType.SnapshotBegin,
            "snapshot-end" => WatchEventType.SnapshotEnd,
            var other => throw new JsonException($"unknown watch message type '{other}'"),
        };
        var collection = Text(root, "collection");
        ReadOnlyMemory<byte>? value = null;
        if (root.TryGetProperty("value", out var v))
            value = collection is not null ? Encoding.UTF8.GetBytes(v.GetRawText()) : Encoding.UTF8.GetBytes(v.GetString()!);
        else if (root.TryGetProperty("valueBase64", out var b)) value = b.GetBytesFromBase64();
        return new WatchEvent(type, root.GetProperty("revision").GetInt64(), collection, Text(root, "id"), Text(root, "key"),
            root.TryGetProperty("prevRevision", out var p) ? p.GetInt64() : 0,
            root.TryGetProperty("snapshot", out var s) && s.GetBoolean(),
            root.TryGetProperty("more", out var m) && m.GetBoolean(),
            value, json);
    }

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() : null;
}

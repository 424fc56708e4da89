using System.Text.Json;
using System.Text.Unicode;
using Cairn.Store;

namespace Cairn.Api.Watch;

/// <summary>
/// Writes the feed's JSON messages (schema in DESIGN.md, "Change feed"). Change messages that complete a revision carry
/// that revision as the resume id; earlier messages of the same revision say <c>"more": true</c> and carry none.
/// </summary>
internal sealed class WatchMessages(IWatchSink sink, bool values)
{
    public IWatchSink Sink { get; } = sink;

    public void Start(long revision, string node, WatchFilter filter)
    {
        var w = Sink.BeginMessage();
        w.WriteStartObject();
        w.WriteString("type", "start");
        w.WriteNumber("revision", revision);
        w.WriteString("node", node);
        w.WriteString("filter", filter.ToString());
        w.WriteEndObject();
        Sink.EndMessage(revision);
    }

    /// <summary>One change; <paramref name="more"/> when the next message is another change of the same revision.</summary>
    public void Change(ChangeEvent e, bool more)
    {
        var w = Sink.BeginMessage();
        w.WriteStartObject();
        w.WriteString("type", e.Type switch { ChangeType.Put => "put", ChangeType.Delete => "delete", _ => "expire" });
        w.WriteNumber("revision", e.Revision);
        Target(w, e.Collection, e.Key);
        w.WriteNumber("prevRevision", e.PrevRevision);
        if (values && e.Type == ChangeType.Put) Value(w, e.Collection is not null, e.Value.Span);
        if (more) w.WriteBoolean("more", true);
        w.WriteEndObject();
        Sink.EndMessage(more ? null : e.Revision);
    }

    public void Progress(long revision) => Marker("progress", revision, resumable: true);

    public void Overflow(long resumeAfter, int queueEventsMax)
    {
        var w = Sink.BeginMessage();
        w.WriteStartObject();
        w.WriteString("type", "overflow");
        w.WriteNumber("revision", resumeAfter);
        w.WriteString("detail", $"more than {queueEventsMax} events waited for this watcher; it resynchronizes after revision {resumeAfter}");
        w.WriteEndObject();
        Sink.EndMessage(null);
    }

    public void SnapshotBegin(long revision, string reason)
    {
        var w = Sink.BeginMessage();
        w.WriteStartObject();
        w.WriteString("type", "snapshot-begin");
        w.WriteNumber("revision", revision);
        w.WriteString("reason", reason);
        w.WriteEndObject();
        Sink.EndMessage(null);
    }

    public void SnapshotEnd(long revision) => Marker("snapshot-end", revision, resumable: true);

    public void SnapshotItem(string? collection, string key, ReadOnlySpan<byte> value, ItemMeta meta)
    {
        var w = Sink.BeginMessage();
        w.WriteStartObject();
        w.WriteString("type", "put");
        w.WriteBoolean("snapshot", true);
        w.WriteNumber("revision", meta.ModRevision);
        Target(w, collection, key);
        w.WriteNumber("version", meta.Version);
        if (values) Value(w, collection is not null, value);
        w.WriteEndObject();
        Sink.EndMessage(null);
    }

    private void Marker(string type, long revision, bool resumable)
    {
        var w = Sink.BeginMessage();
        w.WriteStartObject();
        w.WriteString("type", type);
        w.WriteNumber("revision", revision);
        w.WriteEndObject();
        Sink.EndMessage(resumable ? revision : null);
    }

    private static void Target(Utf8JsonWriter w, string? collection, string key)
    {
        if (collection is null)
        {
            w.WriteString("key", key);
            return;
        }
        w.WriteString("collection", collection);
        w.WriteString("id", key);
    }

    /// <summary>Documents as JSON (stored minified and validated); raw values as text when UTF-8, else base64.</summary>
    private static void Value(Utf8JsonWriter w, bool document, ReadOnlySpan<byte> value)
    {
        if (document)
        {
            w.WritePropertyName("value");
            w.WriteRawValue(value, skipInputValidation: true);
        }
        else if (Utf8.IsValid(value)) w.WriteString("value", value);
        else w.WriteBase64String("valueBase64", value);
    }
}

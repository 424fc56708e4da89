namespace Cairn.Store;

public enum ChangeType : byte
{
    Put = 0,
    Delete = 1,
    /// <summary>Removed by an <see cref="Expire"/> command (or replaced after its expiry had passed).</summary>
    Expire = 2,
}

/// <summary>One change made by an applied write; the unit of the watch feed.</summary>
/// <param name="Revision">The revision of the command that made the change (a txn's writes share one).</param>
/// <param name="Collection">The document's collection; null for a raw key.</param>
/// <param name="Key">The document id or the raw key.</param>
/// <param name="Value">The new JSON or value for a put; empty for a delete or expire.</param>
/// <param name="PrevRevision">The mod revision of the item before the change; 0 when it did not exist.</param>
public sealed record ChangeEvent(long Revision, ChangeType Type, string? Collection, string Key, ReadOnlyMemory<byte> Value, long PrevRevision)
{
    /// <summary>What the history charges for keeping this event (payload plus a fixed overhead per event).</summary>
    internal long RetainedBytes =>
        EventOverheadBytes + Value.Length + (Key.Length * sizeof(char)) + ((Collection?.Length ?? 0) * sizeof(char));

    /// <summary>An estimate of the event object, its record fields and list slot.</summary>
    internal const int EventOverheadBytes = 96;
}

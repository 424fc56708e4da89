using Cairn.Store;

namespace Cairn.Api.Watch;

public enum WatchFilterKind
{
    /// <summary>Every change: documents of every collection and raw keys.</summary>
    All,
    /// <summary>The documents of one collection.</summary>
    Collection,
    /// <summary>One document (collection and id).</summary>
    Document,
    /// <summary>One raw key.</summary>
    Key,
    /// <summary>Raw keys starting with a prefix (the empty prefix: every raw key).</summary>
    Prefix,
}

/// <summary>What one watcher wants to see. Immutable; matched on the apply thread, so matching never allocates.</summary>
/// <remarks>Built only through the factories, so each kind carries exactly the names it needs.</remarks>
public sealed record WatchFilter
{
    private WatchFilter(WatchFilterKind kind, string? collection = null, string? key = null)
    {
        Kind = kind;
        Collection = collection;
        Key = key;
    }

    public WatchFilterKind Kind { get; }

    /// <summary>The collection (Collection and Document kinds).</summary>
    public string? Collection { get; }

    /// <summary>The document id (Document), the raw key (Key) or the prefix (Prefix).</summary>
    public string? Key { get; }

    public static WatchFilter All { get; } = new(WatchFilterKind.All);

    public static WatchFilter ForCollection(string collection) => new(WatchFilterKind.Collection, Required(collection));

    public static WatchFilter ForDocument(string collection, string id) => new(WatchFilterKind.Document, Required(collection), Required(id));

    public static WatchFilter ForKey(string key) => new(WatchFilterKind.Key, key: Required(key));

    /// <summary>Raw keys starting with <paramref name="prefix"/>; the empty prefix selects every raw key.</summary>
    public static WatchFilter ForPrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return new(WatchFilterKind.Prefix, key: prefix);
    }

    private static string Required(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        return value;
    }

    public bool Matches(ChangeEvent e) => Kind switch
    {
        WatchFilterKind.All => true,
        WatchFilterKind.Collection => e.Collection is not null && string.Equals(e.Collection, Collection, StringComparison.Ordinal),
        WatchFilterKind.Document => e.Collection is not null && string.Equals(e.Collection, Collection, StringComparison.Ordinal)
            && string.Equals(e.Key, Key, StringComparison.Ordinal),
        WatchFilterKind.Key => e.Collection is null && string.Equals(e.Key, Key, StringComparison.Ordinal),
        WatchFilterKind.Prefix => e.Collection is null && e.Key.StartsWith(Key!, StringComparison.Ordinal),
        _ => false,
    };

    public override string ToString() => Kind switch
    {
        WatchFilterKind.All => "everything",
        WatchFilterKind.Collection => $"collection {Collection}",
        WatchFilterKind.Document => $"document {Collection}/{Key}",
        WatchFilterKind.Key => $"key {Key}",
        _ => $"keys starting with '{Key}'",
    };
}

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
public sealed record WatchFilter(WatchFilterKind Kind, string? Collection = null, string? Key = null)
{
    public static WatchFilter All { get; } = new(WatchFilterKind.All);

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

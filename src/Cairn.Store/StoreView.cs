using System.Diagnostics.CodeAnalysis;
using Cairn.Store.Collections;
using Cairn.Store.State;

namespace Cairn.Store;

/// <summary>
/// The whole state of the store at one revision. Immutable: the apply thread publishes a new view after
/// each command, so a reader holding a view sees every command up to <see cref="Revision"/> entirely and
/// nothing after it (never half of a txn), from any thread, without locks.
/// </summary>
public sealed partial class StoreView
{
    internal StoreView(
        long revision,
        PersistentMap<string, DocCollection> collections,
        PersistentMap<string, KvEntry> keys,
        PersistentMap<ExpiryKey, bool> expiry,
        DedupWindow dedup,
        long documentCount)
    {
        Invariant.Check(revision >= 0);
        Invariant.Check(documentCount >= 0);
        Revision = revision;
        Collections = collections;
        Keys = keys;
        Expiry = expiry;
        Dedup = dedup;
        DocumentCount = documentCount;
    }

    internal static StoreView Empty { get; } = new(
        0,
        PersistentMap<string, DocCollection>.Empty(StringComparer.Ordinal),
        PersistentMap<string, KvEntry>.Empty(StringComparer.Ordinal),
        PersistentMap<ExpiryKey, bool>.Empty(ExpiryKeyComparer.Instance),
        DedupWindow.Empty,
        0);

    /// <summary>The revision (log index) of the last command or skipped entry applied.</summary>
    public long Revision { get; }

    /// <summary>Documents in all collections.</summary>
    public long DocumentCount { get; }

    /// <summary>Raw keys stored, including keys whose expiry has passed but that no Expire command has removed yet.</summary>
    public long KeyCount => Keys.Count;

    /// <summary>Collections by name; never holds an empty collection.</summary>
    internal PersistentMap<string, DocCollection> Collections { get; }

    internal PersistentMap<string, KvEntry> Keys { get; }

    /// <summary>Every key with an expiry, ordered by expiry instant; the value is unused.</summary>
    internal PersistentMap<ExpiryKey, bool> Expiry { get; }

    internal DedupWindow Dedup { get; }

    internal StoreView WithRevision(long revision) => new(revision, Collections, Keys, Expiry, Dedup, DocumentCount);

    public bool TryGetDocument(string collection, string id, [NotNullWhen(true)] out Document? doc)
    {
        doc = null;
        return Collections.TryGetValue(collection, out var c) && c.Documents.TryGetValue(id, out doc);
    }

    /// <summary>Documents of a collection in ordinal id order, strictly after <paramref name="afterId"/> when given.</summary>
    public IReadOnlyList<Document> ListDocuments(string collection, string? afterId, int limit)
    {
        if (limit <= 0 || !Collections.TryGetValue(collection, out var c)) return [];
        var result = new List<Document>(Math.Min(limit, c.Documents.Count));
        var entries = afterId is null ? c.Documents.All() : c.Documents.After(afterId);
        foreach (var (_, doc) in entries)
        {
            if (result.Count == limit) break;
            result.Add(doc);
        }
        return result;
    }

    /// <summary>Documents whose id starts with <paramref name="prefix"/>, in ordinal id order, strictly after <paramref name="afterId"/> when given.</summary>
    public IReadOnlyList<Document> ListDocuments(string collection, string prefix, string? afterId, int limit)
    {
        if (prefix.Length == 0) return ListDocuments(collection, afterId, limit);
        if (limit <= 0 || !Collections.TryGetValue(collection, out var c)) return [];
        var result = new List<Document>(Math.Min(limit, 256));
        var entries = afterId is not null && string.CompareOrdinal(afterId, prefix) >= 0 ? c.Documents.After(afterId) : c.Documents.From(prefix);
        foreach (var (id, doc) in entries)
        {
            if (result.Count == limit || !id.StartsWith(prefix, StringComparison.Ordinal)) break;
            result.Add(doc);
        }
        return result;
    }

    /// <summary>Every collection with its document count, ordered by name.</summary>
    public IReadOnlyList<CollectionInfo> ListCollections()
    {
        var result = new List<CollectionInfo>(Collections.Count);
        foreach (var (name, c) in Collections.All()) result.Add(new CollectionInfo(name, c.Documents.Count));
        return result;
    }

    /// <summary>The key's entry unless it is missing or its expiry is at or before <paramref name="nowUnixMs"/>.</summary>
    public bool TryGetKey(string key, long nowUnixMs, [NotNullWhen(true)] out KvEntry? entry)
    {
        if (Keys.TryGetValue(key, out entry) && !IsExpired(entry, nowUnixMs)) return true;
        entry = null;
        return false;
    }

    /// <summary>
    /// Live keys starting with <paramref name="prefix"/> in ordinal order, strictly after <paramref name="afterKey"/> when given.
    /// Expired keys are skipped (they cost a step each until the leader's Expire command removes them).
    /// </summary>
    public IReadOnlyList<KvEntry> ListKeys(string prefix, string? afterKey, int limit, long nowUnixMs)
    {
        if (limit <= 0) return [];
        var result = new List<KvEntry>(Math.Min(limit, 256));
        var entries = afterKey is not null && string.CompareOrdinal(afterKey, prefix) >= 0
            ? Keys.After(afterKey)
            : Keys.From(prefix);
        foreach (var (key, entry) in entries)
        {
            if (result.Count == limit || !key.StartsWith(prefix, StringComparison.Ordinal)) break;
            if (!IsExpired(entry, nowUnixMs)) result.Add(entry);
        }
        return result;
    }

    /// <summary>Up to <paramref name="max"/> keys whose expiry is at or before <paramref name="nowUnixMs"/>, soonest first (from the expiry index).</summary>
    public IReadOnlyList<string> ExpiredKeys(long nowUnixMs, int max)
    {
        if (max <= 0) return [];
        var result = new List<string>(Math.Min(max, 256));
        foreach (var (e, _) in Expiry.All())
        {
            if (result.Count == max || e.ExpiresAtUnixMs > nowUnixMs) break;
            result.Add(e.Key);
        }
        return result;
    }

    internal static bool IsExpired(KvEntry entry, long nowUnixMs) => entry.ExpiresAtUnixMs is { } at && at <= nowUnixMs;
}

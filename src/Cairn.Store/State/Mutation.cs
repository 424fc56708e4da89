using System.Runtime.InteropServices;
using Cairn.Store.Collections;

namespace Cairn.Store.State;

/// <summary>
/// The working copy one command applies to. It starts from the published view and only swaps in new
/// persistent maps, so a txn can take a <see cref="Checkpoint"/> and roll back to it for free, and the
/// published view is never touched. Used by the apply thread only.
/// </summary>
internal sealed class Mutation(StoreView start, long revision, long nowUnixMs)
{
    private PersistentMap<string, DocCollection> _collections = start.Collections;
    private PersistentMap<string, KvEntry> _keys = start.Keys;
    private PersistentMap<ExpiryKey, bool> _expiry = start.Expiry;
    private DedupWindow _dedup = start.Dedup;
    private long _documentCount = start.DocumentCount;

    public long Revision { get; } = revision;

    /// <summary>The changes made so far, in order; one per written item.</summary>
    public List<ChangeEvent> Events { get; } = [];

    public readonly record struct Checkpoint(
        PersistentMap<string, DocCollection> Collections,
        PersistentMap<string, KvEntry> Keys,
        PersistentMap<ExpiryKey, bool> Expiry,
        long DocumentCount,
        int EventCount);

    public Checkpoint Save() => new(_collections, _keys, _expiry, _documentCount, Events.Count);

    public void Rollback(Checkpoint c)
    {
        (_collections, _keys, _expiry, _documentCount) = (c.Collections, c.Keys, c.Expiry, c.DocumentCount);
        Events.RemoveRange(c.EventCount, Events.Count - c.EventCount);
    }

    public StoreView Publish() => new(Revision, _collections, _keys, _expiry, _dedup, _documentCount);

    public void Remember(string requestId, CommandResult result, int entriesMax) =>
        _dedup = _dedup.Add(requestId, Revision, result, entriesMax);

    public Document? GetDocument(string collection, string id) =>
        _collections.TryGetValue(collection, out var c) && c.Documents.TryGetValue(id, out var d) ? d : null;

    /// <summary>Creates or replaces a document; <paramref name="existing"/> is what <see cref="GetDocument"/> returned.</summary>
    public Document PutDocument(string collection, string id, ReadOnlyMemory<byte> json, Document? existing)
    {
        var found = _collections.TryGetValue(collection, out var c);
        var name = found ? c!.Name : collection;
        var doc = new Document(name, id, Owned(json), NextMeta(existing?.Meta));
        var docs = (found ? c!.Documents : PersistentMap<string, Document>.Empty(StringComparer.Ordinal)).SetItem(id, doc, out var added);
        Invariant.Check(added == existing is null, "the caller looked the document up in this working copy");
        _collections = _collections.SetItem(name, new DocCollection(name, docs));
        if (added) _documentCount++;
        Events.Add(new ChangeEvent(Revision, ChangeType.Put, name, id, doc.Json, existing?.Meta.ModRevision ?? 0));
        return doc;
    }

    /// <summary>Deletes a document; the last one of a collection takes the collection with it.</summary>
    public void DeleteDocument(Document existing)
    {
        Invariant.Check(_collections.TryGetValue(existing.Collection, out var c), "deleting from an existing collection");
        var docs = c.Documents.Remove(existing.Id, out var removed);
        Invariant.Check(removed, "deleting an existing document");
        _collections = docs.IsEmpty ? _collections.Remove(c.Name) : _collections.SetItem(c.Name, c with { Documents = docs });
        _documentCount--;
        Events.Add(new ChangeEvent(Revision, ChangeType.Delete, c.Name, existing.Id, ReadOnlyMemory<byte>.Empty, existing.Meta.ModRevision));
    }

    /// <summary>The key's entry unless missing or, when the command carries a clock, expired at that instant.</summary>
    public KvEntry? GetLiveKey(string key) =>
        _keys.TryGetValue(key, out var e) && !(nowUnixMs > 0 && StoreView.IsExpired(e, nowUnixMs)) ? e : null;

    /// <summary>The key's entry as stored, expired or not.</summary>
    public KvEntry? GetStoredKey(string key) => _keys.TryGetValue(key, out var e) ? e : null;

    /// <summary>Sets a key; <paramref name="live"/> is what <see cref="GetLiveKey"/> returned.</summary>
    public KvEntry PutKey(string key, ReadOnlyMemory<byte> value, long? expiresAtUnixMs, KvEntry? live)
    {
        if (GetStoredKey(key) is { } stored)
        {
            // A stored key that this command already sees as expired is expired now, then created afresh:
            // watchers see the expiry, and the new key starts a new life (create revision, version 1).
            if (live is null) RemoveKey(stored, ChangeType.Expire);
            else UnindexExpiry(stored);
        }
        var entry = new KvEntry(key, Owned(value), expiresAtUnixMs, NextMeta(live?.Meta));
        _keys = _keys.SetItem(key, entry);
        if (expiresAtUnixMs is { } at) _expiry = _expiry.SetItem(new ExpiryKey(at, key), true);
        Events.Add(new ChangeEvent(Revision, ChangeType.Put, null, key, entry.Value, live?.Meta.ModRevision ?? 0));
        return entry;
    }

    public void RemoveKey(KvEntry existing, ChangeType type)
    {
        _keys = _keys.Remove(existing.Key, out var removed);
        Invariant.Check(removed, "removing a stored key");
        UnindexExpiry(existing);
        Events.Add(new ChangeEvent(Revision, type, null, existing.Key, ReadOnlyMemory<byte>.Empty, existing.Meta.ModRevision));
    }

    private void UnindexExpiry(KvEntry entry)
    {
        if (entry.ExpiresAtUnixMs is not { } at) return;
        _expiry = _expiry.Remove(new ExpiryKey(at, entry.Key), out var removed);
        Invariant.Check(removed, "every key with an expiry is in the expiry index");
    }

    private ItemMeta NextMeta(ItemMeta? previous) =>
        previous is { } p ? new ItemMeta(p.CreateRevision, Revision, p.Version + 1) : new ItemMeta(Revision, Revision, 1);

    /// <summary>
    /// The bytes to keep: a whole array is kept as is (the proposer hands it over and never changes it); a slice of a
    /// larger buffer (e.g. a decoded log batch) is copied so that the store does not pin the whole buffer.
    /// </summary>
    private static ReadOnlyMemory<byte> Owned(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.IsEmpty) return ReadOnlyMemory<byte>.Empty;
        return MemoryMarshal.TryGetArray(bytes, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? bytes
            : bytes.ToArray();
    }
}

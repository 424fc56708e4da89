using System.Buffers.Binary;
using Cairn.Store.Codec;
using Cairn.Store.Collections;
using Cairn.Store.Snapshot;
using Cairn.Store.State;

namespace Cairn.Store;

public sealed partial class KvStore
{
    /// <summary>
    /// A store holding the state a snapshot written by <see cref="StoreView.WriteSnapshot"/> describes. Its history starts
    /// empty at the snapshot's revision. A corrupt, truncated or inconsistent snapshot throws <see cref="InvalidDataException"/>.
    /// </summary>
    public static KvStore Restore(Stream snapshot, StoreLimits limits)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return new KvStore(limits, ReadSnapshot(snapshot));
    }

    /// <summary>
    /// Replaces the whole state with a snapshot (a follower catching up from the leader's snapshot). Apply thread only.
    /// The snapshot is read completely and verified before anything changes; the history restarts at its revision.
    /// </summary>
    public void InstallSnapshot(Stream snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var view = ReadSnapshot(snapshot);
        Invariant.Check(view.Revision >= _current.Revision, "a snapshot never moves the store back");
        Volatile.Write(ref _current, view);
        _history.Reset(view.Revision);
        OnSnapshotInstalled?.Invoke(view.Revision);
    }

    private static StoreView ReadSnapshot(Stream input)
    {
        using var source = new SnapshotSource(input);
        Span<byte> header = stackalloc byte[SnapshotFormat.HeaderBytes];
        source.ReadExactly(header, "the header");
        if (!header[..8].SequenceEqual(SnapshotFormat.Magic)) throw new InvalidDataException("not a Cairn snapshot (bad magic)");
        var version = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (version != SnapshotFormat.Version)
            throw new InvalidDataException($"snapshot format {version} is not supported (this node reads {SnapshotFormat.Version})");
        var revision = BinaryPrimitives.ReadInt64LittleEndian(header[12..]);
        var collectionCount = BinaryPrimitives.ReadInt64LittleEndian(header[20..]);
        var documentCount = BinaryPrimitives.ReadInt64LittleEndian(header[28..]);
        var keyCount = BinaryPrimitives.ReadInt64LittleEndian(header[36..]);
        var dedupCount = BinaryPrimitives.ReadInt64LittleEndian(header[44..]);
        if (revision < 0 || collectionCount < 0 || documentCount < collectionCount || keyCount < 0 || dedupCount < 0
            || collectionCount > int.MaxValue || keyCount > int.MaxValue || dedupCount > int.MaxValue)
        {
            throw new InvalidDataException("the snapshot header holds impossible counts");
        }

        var collections = ReadCollections(source, collectionCount, documentCount);
        var (keys, expiry) = ReadKeys(source, keyCount);
        var dedup = ReadDedup(source, dedupCount);
        source.VerifyTrailer();
        return new StoreView(revision, collections, keys, expiry, dedup, documentCount);
    }

    private static PersistentMap<string, DocCollection> ReadCollections(SnapshotSource source, long collectionCount, long documentCount)
    {
        var collections = new PersistentMap<string, DocCollection>.SortedBuilder(StringComparer.Ordinal);
        long documentsSeen = 0;
        for (long c = 0; c < collectionCount; c++)
        {
            var r = new WireReader(source.Record("a collection"));
            var name = r.String();
            var count = r.Varint();
            r.End();
            if (count == 0 || count > (ulong)(documentCount - documentsSeen))
                throw new InvalidDataException($"collection '{name}' claims {count} documents, which the header does not allow");
            var documents = new PersistentMap<string, Document>.SortedBuilder(StringComparer.Ordinal);
            for (ulong d = 0; d < count; d++)
            {
                var dr = new WireReader(source.Record("a document"));
                var doc = new Document(name, dr.String(), dr.Bytes(), ReadMeta(ref dr));
                dr.End();
                if (!documents.TryAdd(doc.Id, doc)) throw new InvalidDataException($"documents of '{name}' are not in strictly increasing id order");
            }
            documentsSeen += (long)count;
            if (!collections.TryAdd(name, new DocCollection(name, documents.Build())))
                throw new InvalidDataException("collections are not in strictly increasing name order");
        }
        if (documentsSeen != documentCount) throw new InvalidDataException($"the header counts {documentCount} documents but the snapshot holds {documentsSeen}");
        return collections.Build();
    }

    private static (PersistentMap<string, KvEntry> Keys, PersistentMap<ExpiryKey, bool> Expiry) ReadKeys(SnapshotSource source, long keyCount)
    {
        var keys = new PersistentMap<string, KvEntry>.SortedBuilder(StringComparer.Ordinal);
        var expiring = new List<ExpiryKey>();
        for (long i = 0; i < keyCount; i++)
        {
            var r = new WireReader(source.Record("a key"));
            var key = r.String();
            var value = r.Bytes();
            long? expiresAt = r.Bool() ? r.Long() : null;
            var entry = new KvEntry(key, value, expiresAt, ReadMeta(ref r));
            r.End();
            if (!keys.TryAdd(key, entry)) throw new InvalidDataException("keys are not in strictly increasing order");
            if (expiresAt is { } at) expiring.Add(new ExpiryKey(at, key));
        }
        expiring.Sort(ExpiryKeyComparer.Instance);
        var expiry = new PersistentMap<ExpiryKey, bool>.SortedBuilder(ExpiryKeyComparer.Instance);
        foreach (var e in expiring) Invariant.Check(expiry.TryAdd(e, true), "expiry keys are distinct (keys are)");
        return (keys.Build(), expiry.Build());
    }

    private static DedupWindow ReadDedup(SnapshotSource source, long dedupCount)
    {
        var entries = new List<(long, string, CommandResult)>((int)Math.Min(dedupCount, 1 << 16));
        for (long i = 0; i < dedupCount; i++)
        {
            var r = new WireReader(source.Record("a dedup entry"));
            var revision = r.NonNegative("a dedup revision");
            var requestId = r.String();
            var result = CommandCodec.DecodeResult(r.Bytes());
            r.End();
            entries.Add((revision, requestId, result));
        }
        return DedupWindow.TryBuild(entries, out var window)
            ? window
            : throw new InvalidDataException("dedup entries are not in increasing revision order with distinct ids");
    }

    private static ItemMeta ReadMeta(ref WireReader r) =>
        new(r.NonNegative("a create revision"), r.NonNegative("a mod revision"), r.NonNegative("a version"));
}

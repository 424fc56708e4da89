using System.Buffers.Binary;
using Cairn.Store.Codec;
using Cairn.Store.Snapshot;

namespace Cairn.Store;

public sealed partial class StoreView
{
    /// <summary>
    /// Writes the whole state of this view (see <see cref="SnapshotFormat"/>). The view is immutable, so this can run on any
    /// thread while the apply thread goes on. Restore with <see cref="KvStore.Restore"/>.
    /// </summary>
    /// <returns>The state hash of what was written (the same as <see cref="ComputeStateHash"/>).</returns>
    public byte[] WriteSnapshot(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return Encode(output);
    }

    /// <summary>
    /// SHA-256 over the canonical encoding of the whole state: revision, every document and key with its metadata and
    /// expiry, and the dedup window. Equal states give equal hashes whatever order built them.
    /// </summary>
    public byte[] ComputeStateHash() => Encode(Stream.Null);

    private byte[] Encode(Stream output)
    {
        using var sink = new SnapshotSink(output);
        Span<byte> header = stackalloc byte[SnapshotFormat.HeaderBytes];
        SnapshotFormat.Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], SnapshotFormat.Version);
        BinaryPrimitives.WriteInt64LittleEndian(header[12..], Revision);
        BinaryPrimitives.WriteInt64LittleEndian(header[20..], Collections.Count);
        BinaryPrimitives.WriteInt64LittleEndian(header[28..], DocumentCount);
        BinaryPrimitives.WriteInt64LittleEndian(header[36..], Keys.Count);
        BinaryPrimitives.WriteInt64LittleEndian(header[44..], Dedup.Count);
        sink.Write(header);
        foreach (var (_, collection) in Collections.All())
        {
            sink.Record(collection, static (w, c) =>
            {
                w.String(c.Name);
                w.Varint((ulong)c.Documents.Count);
            });
            foreach (var (_, doc) in collection.Documents.All())
            {
                sink.Record(doc, static (w, d) =>
                {
                    w.String(d.Id);
                    w.Bytes(d.Json.Span);
                    WriteMeta(w, d.Meta);
                });
            }
        }
        foreach (var (_, entry) in Keys.All())
        {
            sink.Record(entry, static (w, k) =>
            {
                w.String(k.Key);
                w.Bytes(k.Value.Span);
                w.Bool(k.ExpiresAtUnixMs.HasValue);
                if (k.ExpiresAtUnixMs is { } at) w.Long(at);
                WriteMeta(w, k.Meta);
            });
        }
        foreach (var (revision, requestId) in Dedup.ByRevision.All())
        {
            Invariant.Check(Dedup.TryGet(requestId, out var entry), "both dedup indexes hold the same ids");
            sink.Record((revision, requestId, entry.Result), static (w, e) =>
            {
                w.Long(e.revision);
                w.String(e.requestId);
                w.Bytes(CommandCodec.EncodeResult(e.Result));
            });
        }
        return sink.Finish();
    }

    private static void WriteMeta(WireWriter w, ItemMeta meta)
    {
        w.Long(meta.CreateRevision);
        w.Long(meta.ModRevision);
        w.Long(meta.Version);
    }
}

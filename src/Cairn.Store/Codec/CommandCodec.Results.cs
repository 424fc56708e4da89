using System.Buffers;

namespace Cairn.Store.Codec;

public static partial class CommandCodec
{
    // Result: [zigzag revision][u8 code][item][previous meta: u8 flag, meta][txn: u8 flag, ...][message: nullable string]
    // Item: [u8 0 = none | 1 = document: collection, id, json, meta | 2 = key: key, value, optional expiry, meta]
    // Txn: [u8 succeeded][count, results (not nested further)][u8 flag, zigzag failed op index]
    // Meta: [zigzag create][zigzag mod][zigzag version]

    private const byte ItemNone = 0;
    private const byte ItemDocument = 1;
    private const byte ItemKey = 2;

    public static void EncodeResult(CommandResult result, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(result);
        WriteResult(new WireWriter(output), result, nested: false);
    }

    public static byte[] EncodeResult(CommandResult result)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        EncodeResult(result, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static CommandResult DecodeResult(ReadOnlySpan<byte> data)
    {
        var r = new WireReader(data);
        var result = ReadResult(ref r, nested: false);
        r.End();
        return result;
    }

    private static void WriteResult(WireWriter w, CommandResult result, bool nested)
    {
        w.Long(result.Revision);
        w.Byte((byte)result.Code);
        WriteItem(w, result.Current);
        w.Bool(result.Previous.HasValue);
        if (result.Previous is { } previous) WriteMeta(w, previous);
        if (nested && result.Txn is not null) throw new ArgumentException("a txn operation's result has no nested txn", nameof(result));
        w.Bool(result.Txn is not null);
        if (result.Txn is { } txn)
        {
            w.Bool(txn.Succeeded);
            w.Varint((ulong)txn.Results.Count);
            foreach (var op in txn.Results) WriteResult(w, op, nested: true);
            WriteOptionalLong(w, txn.FailedOpIndex);
        }
        w.NullableString(result.Message);
    }

    private static CommandResult ReadResult(ref WireReader r, bool nested)
    {
        var revision = r.Long();
        var code = r.Byte();
        if (code > (byte)ResultCode.TxnAborted) throw new InvalidDataException($"unknown result code {code}");
        var current = ReadItem(ref r);
        ItemMeta? previous = r.Bool() ? ReadMeta(ref r) : null;
        TxnResult? txn = null;
        if (r.Bool())
        {
            if (nested) throw new InvalidDataException("a txn operation's result cannot hold a txn result");
            var succeeded = r.Bool();
            var results = new CommandResult[r.Count(bytesEach: 6)];
            for (var i = 0; i < results.Length; i++) results[i] = ReadResult(ref r, nested: true);
            var failed = ReadOptionalLong(ref r);
            if (failed is { } f && (f < 0 || f >= results.Length)) throw new InvalidDataException($"failed operation index {f} is outside the results");
            txn = new TxnResult(succeeded, results, (int?)failed);
        }
        var message = r.NullableString();
        return new CommandResult(revision, (ResultCode)code, current, previous, txn, message);
    }

    private static void WriteItem(WireWriter w, StoredItem? item)
    {
        switch (item)
        {
            case { Document: { } d }:
                w.Byte(ItemDocument);
                w.String(d.Collection);
                w.String(d.Id);
                w.Bytes(d.Json.Span);
                WriteMeta(w, d.Meta);
                break;
            case { Key: { } k }:
                w.Byte(ItemKey);
                w.String(k.Key);
                w.Bytes(k.Value.Span);
                WriteOptionalLong(w, k.ExpiresAtUnixMs);
                WriteMeta(w, k.Meta);
                break;
            default:
                w.Byte(ItemNone);
                break;
        }
    }

    private static StoredItem? ReadItem(ref WireReader r) => r.Byte() switch
    {
        ItemNone => null,
        ItemDocument => StoredItem.Of(new Document(r.String(), r.String(), r.Bytes(), ReadMeta(ref r))),
        ItemKey => StoredItem.Of(new KvEntry(r.String(), r.Bytes(), ReadOptionalLong(ref r), ReadMeta(ref r))),
        var tag => throw new InvalidDataException($"unknown item tag {tag}"),
    };

    private static void WriteMeta(WireWriter w, ItemMeta meta)
    {
        w.Long(meta.CreateRevision);
        w.Long(meta.ModRevision);
        w.Long(meta.Version);
    }

    private static ItemMeta ReadMeta(ref WireReader r) => new(r.Long(), r.Long(), r.Long());
}

using System.Buffers;

namespace Cairn.Store.Codec;

/// <summary>
/// The binary form of commands (the Raft log payload) and of their results (forwarded between nodes, kept in
/// snapshots for the dedup window). Hand-written little-endian: a tag byte per command, varints, length-prefixed
/// UTF-8. Decoding rejects malformed input with <see cref="InvalidDataException"/> only.
/// </summary>
/// <remarks>
/// Layout of an envelope: <c>[u8 format = 1][request id: varint length+1 (0 = none), UTF-8][proposedAt: zigzag]
/// [command]</c>; a command is <c>[u8 kind][fields]</c> (see <see cref="Kind"/>). Encoding a string that is not
/// well-formed UTF-16 throws <see cref="ArgumentException"/>: replacing it would make the proposer and the
/// replicas apply different commands.
/// </remarks>
public static partial class CommandCodec
{
    public const byte FormatVersion = 1;

    private enum Kind : byte
    {
        DocPut = 1,
        DocMergePatch = 2,
        DocDelete = 3,
        KvPut = 4,
        KvDelete = 5,
        Expire = 6,
        Txn = 7,
    }

    public static void Encode(CommandEnvelope envelope, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var w = new WireWriter(output);
        w.Byte(FormatVersion);
        w.NullableString(envelope.RequestId);
        w.Long(envelope.ProposedAtUnixMs);
        WriteCommand(w, envelope.Command, nested: false);
    }

    public static byte[] Encode(CommandEnvelope envelope)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        Encode(envelope, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static CommandEnvelope Decode(ReadOnlySpan<byte> data)
    {
        var r = new WireReader(data);
        var version = r.Byte();
        if (version != FormatVersion) throw new InvalidDataException($"unknown command format {version} (this node reads {FormatVersion})");
        var requestId = r.NullableString();
        var proposedAt = r.Long();
        var command = ReadCommand(ref r, nested: false);
        r.End();
        return new CommandEnvelope(requestId, command, proposedAt);
    }

    private static void WriteCommand(WireWriter w, Command command, bool nested)
    {
        switch (command)
        {
            case DocPut p:
                w.Byte((byte)Kind.DocPut);
                w.String(p.Collection);
                w.String(p.Id);
                w.Bytes(p.Json.Span);
                WritePrecondition(w, p.Precondition);
                break;
            case DocMergePatch p:
                w.Byte((byte)Kind.DocMergePatch);
                w.String(p.Collection);
                w.String(p.Id);
                w.Bytes(p.Patch.Span);
                WritePrecondition(w, p.Precondition);
                break;
            case DocDelete d:
                w.Byte((byte)Kind.DocDelete);
                w.String(d.Collection);
                w.String(d.Id);
                WritePrecondition(w, d.Precondition);
                break;
            case KvPut k:
                w.Byte((byte)Kind.KvPut);
                w.String(k.Key);
                w.Bytes(k.Value.Span);
                WriteOptionalLong(w, k.ExpiresAtUnixMs);
                WritePrecondition(w, k.Precondition);
                break;
            case KvDelete k:
                w.Byte((byte)Kind.KvDelete);
                w.String(k.Key);
                WritePrecondition(w, k.Precondition);
                break;
            case Expire e when !nested:
                w.Byte((byte)Kind.Expire);
                w.Long(e.NowUnixMs);
                w.Varint((ulong)e.Keys.Count);
                foreach (var key in e.Keys) w.String(key);
                break;
            case Txn t when !nested:
                w.Byte((byte)Kind.Txn);
                WriteTxn(w, t);
                break;
            default:
                throw new ArgumentException(nested
                    ? $"a txn operation writes with DocPut, DocMergePatch, DocDelete, KvPut or KvDelete, not {command?.GetType().Name ?? "null"}"
                    : $"unknown command {command?.GetType().Name ?? "null"}", nameof(command));
        }
    }

    private static Command ReadCommand(ref WireReader r, bool nested)
    {
        var kind = (Kind)r.Byte();
        switch (kind)
        {
            case Kind.DocPut:
                return new DocPut(r.String(), r.String(), r.Bytes(), ReadPrecondition(ref r));
            case Kind.DocMergePatch:
                return new DocMergePatch(r.String(), r.String(), r.Bytes(), ReadPrecondition(ref r));
            case Kind.DocDelete:
                return new DocDelete(r.String(), r.String(), ReadPrecondition(ref r));
            case Kind.KvPut:
                return new KvPut(r.String(), r.Bytes(), ReadOptionalLong(ref r), ReadPrecondition(ref r));
            case Kind.KvDelete:
                return new KvDelete(r.String(), ReadPrecondition(ref r));
            case Kind.Expire when !nested:
                var now = r.Long();
                var keys = new string[r.Count()];
                for (var i = 0; i < keys.Length; i++) keys[i] = r.String();
                return new Expire(now, keys);
            case Kind.Txn when !nested:
                return ReadTxn(ref r);
            default:
                throw new InvalidDataException(nested ? $"command kind {(byte)kind} cannot be a txn operation" : $"unknown command kind {(byte)kind}");
        }
    }

    private static void WritePrecondition(WireWriter w, Precondition p)
    {
        w.Byte((byte)p.Kind);
        w.Long(p.Revision);
    }

    private static Precondition ReadPrecondition(ref WireReader r)
    {
        var kind = r.Byte();
        if (kind > (byte)PreconditionKind.RevisionEquals) throw new InvalidDataException($"unknown precondition kind {kind}");
        return new Precondition((PreconditionKind)kind, r.Long());
    }

    private static void WriteOptionalLong(WireWriter w, long? value)
    {
        w.Bool(value.HasValue);
        if (value is { } v) w.Long(v);
    }

    private static long? ReadOptionalLong(ref WireReader r) => r.Bool() ? r.Long() : null;
}

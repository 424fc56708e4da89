using System.Buffers.Binary;
using Cairn.Consensus;
using Cairn.Storage.Internal;

namespace Cairn.Storage.Log;

/// <summary>
/// One log record: <c>[u32 length][u32 crc32c][u64 index][u64 term][u8 kind][data]</c>, little-endian.
/// <c>length</c> counts the payload (index onwards); the CRC covers the length field and the payload, so a torn or
/// flipped length is caught too. Segment files start with <see cref="SegmentHeaderBytes"/> bytes:
/// <c>"CAIRNWAL"</c>, u32 version, u32 crc32c of the first 12 bytes.
/// </summary>
internal static class LogRecord
{
    public const int FrameBytes = 8;
    public const int FixedPayloadBytes = 17;
    public const int OverheadBytes = FrameBytes + FixedPayloadBytes;
    public const int SegmentHeaderBytes = 16;
    public const uint SegmentVersion = 1;
    public static ReadOnlySpan<byte> SegmentMagic => "CAIRNWAL"u8;

    public static int SizeOf(Entry entry) => checked(OverheadBytes + entry.Data.Length);

    /// <summary>Entry.SizeBytes of the entry stored in a record of <paramref name="recordBytes"/> bytes.</summary>
    public static long EntrySizeBytes(long recordBytes) => recordBytes - OverheadBytes + Entry.OverheadBytes;

    public static void Write(Span<byte> destination, Entry entry)
    {
        var payloadLength = FixedPayloadBytes + entry.Data.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)payloadLength);
        var payload = destination.Slice(FrameBytes, payloadLength);
        BinaryPrimitives.WriteUInt64LittleEndian(payload, entry.Index.Value);
        BinaryPrimitives.WriteUInt64LittleEndian(payload[8..], entry.Term.Value);
        payload[16] = (byte)entry.Kind;
        entry.Data.Span.CopyTo(payload[FixedPayloadBytes..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Checksum(destination[..4], payload));
    }

    public static uint Checksum(ReadOnlySpan<byte> lengthField, ReadOnlySpan<byte> payload) =>
        Crc32C.Append(Crc32C.Compute(lengthField), payload);

    /// <summary>
    /// Validates the record at the start of <paramref name="bytes"/> (frame, length, checksum, known kind) and returns
    /// its total size, or a reason it is not a whole valid record.
    /// </summary>
    public static bool TryValidate(ReadOnlySpan<byte> bytes, out int recordBytes, out string reason)
    {
        recordBytes = 0;
        if (bytes.Length < FrameBytes)
        {
            reason = "incomplete record header";
            return false;
        }
        var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        if (length < FixedPayloadBytes)
        {
            reason = $"record length {length} is below the minimum {FixedPayloadBytes}";
            return false;
        }
        if (length > bytes.Length - FrameBytes)
        {
            reason = $"record length {length} runs past the end of the file";
            return false;
        }
        var payload = bytes.Slice(FrameBytes, (int)length);
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]) != Checksum(bytes[..4], payload))
        {
            reason = "record checksum mismatch";
            return false;
        }
        if (payload[16] > (byte)EntryKind.Membership)
        {
            reason = $"unknown entry kind {payload[16]}";
            return false;
        }
        recordBytes = FrameBytes + (int)length;
        reason = "";
        return true;
    }

    public static ulong IndexOf(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadUInt64LittleEndian(record[FrameBytes..]);

    public static ulong TermOf(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadUInt64LittleEndian(record[(FrameBytes + 8)..]);

    /// <summary>The entry of a record already validated; its data is copied out of <paramref name="record"/>.</summary>
    public static Entry Decode(ReadOnlySpan<byte> record) => new(
        new Term(TermOf(record)), new LogIndex(IndexOf(record)), (EntryKind)record[FrameBytes + 16],
        record[OverheadBytes..].ToArray());

    public static void WriteSegmentHeader(Span<byte> destination)
    {
        SegmentMagic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], SegmentVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], Crc32C.Compute(destination[..12]));
    }

    public static bool IsValidSegmentHeader(ReadOnlySpan<byte> header) =>
        header.Length >= SegmentHeaderBytes && header[..8].SequenceEqual(SegmentMagic)
        && BinaryPrimitives.ReadUInt32LittleEndian(header[8..]) == SegmentVersion
        && BinaryPrimitives.ReadUInt32LittleEndian(header[12..]) == Crc32C.Compute(header[..12]);
}

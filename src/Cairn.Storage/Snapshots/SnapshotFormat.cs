using System.Buffers.Binary;
using System.Globalization;
using Cairn.Consensus;
using Cairn.Storage.Internal;
using Microsoft.Win32.SafeHandles;

namespace Cairn.Storage.Snapshots;

/// <summary>
/// A snapshot file: header <c>"CAIRNSNP"</c>, u32 version, u32 membership length, u64 index, u64 term,
/// u64 data length, membership (<see cref="MembershipCodec"/>), u32 crc32c of the header so far; then the data;
/// then u32 crc32c of the data. Named <c>snap-{index:D20}-{term:D20}.snap</c>.
/// </summary>
internal static class SnapshotFormat
{
    public const string Extension = ".snap";
    private const uint Version = 1;
    private const int FixedHeaderBytes = 40;
    private const int TrailerBytes = 4;
    private static ReadOnlySpan<byte> Magic => "CAIRNSNP"u8;

    public static string FileName(SnapshotMeta meta) => string.Create(CultureInfo.InvariantCulture,
        $"snap-{meta.Index.Value:D20}-{meta.Term.Value:D20}{Extension}");

    public static byte[] EncodeHeader(SnapshotMeta meta, long dataLength)
    {
        var membership = MembershipCodec.EncodeMembership(meta.Membership);
        var header = new byte[FixedHeaderBytes + membership.Length + 4];
        var span = header.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)membership.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(span[16..], meta.Index.Value);
        BinaryPrimitives.WriteUInt64LittleEndian(span[24..], meta.Term.Value);
        BinaryPrimitives.WriteInt64LittleEndian(span[32..], dataLength);
        membership.CopyTo(span[FixedHeaderBytes..]);
        var crcAt = header.Length - 4;
        BinaryPrimitives.WriteUInt32LittleEndian(span[crcAt..], Crc32C.Compute(span[..crcAt]));
        return header;
    }

    public static byte[] EncodeTrailer(uint dataCrc)
    {
        var trailer = new byte[TrailerBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, dataCrc);
        return trailer;
    }

    /// <summary>A validated header: the meta, where the data starts and how long it is.</summary>
    public sealed record Header(SnapshotMeta Meta, long DataOffset, long DataLength);

    /// <summary>Reads and checks the header and the file's length (not the data checksum); throws <see cref="StorageCorruptException"/>.</summary>
    public static Header ReadHeader(string path, SafeFileHandle handle)
    {
        var fileLength = RandomAccess.GetLength(handle);
        Span<byte> fixedPart = stackalloc byte[FixedHeaderBytes];
        if (RandomAccess.Read(handle, fixedPart, 0) < FixedHeaderBytes || !fixedPart[..8].SequenceEqual(Magic))
            throw new StorageCorruptException(path, 0, "not a Cairn snapshot file");
        if (BinaryPrimitives.ReadUInt32LittleEndian(fixedPart[8..]) != Version) throw new StorageCorruptException(path, 8, "unsupported snapshot version");
        var membershipLength = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart[12..]);
        if (membershipLength > (MembershipCodec.MembersMax * 8L) + 32) throw new StorageCorruptException(path, 12, $"membership length {membershipLength} is implausible");
        var header = new byte[FixedHeaderBytes + (int)membershipLength + 4];
        if (RandomAccess.Read(handle, header, 0) < header.Length) throw new StorageCorruptException(path, FixedHeaderBytes, "incomplete snapshot header");
        var crcAt = header.Length - 4;
        if (BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(crcAt)) != Crc32C.Compute(header.AsSpan(0, crcAt)))
            throw new StorageCorruptException(path, crcAt, "snapshot header checksum mismatch");
        var dataLength = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(32));
        if (dataLength < 0 || fileLength != header.Length + dataLength + TrailerBytes)
            throw new StorageCorruptException(path, 32, $"file is {fileLength} bytes but its header promises {header.Length + dataLength + TrailerBytes}");
        Membership membership;
        try
        {
            membership = MembershipCodec.DecodeMembership(header.AsSpan(FixedHeaderBytes, (int)membershipLength));
        }
        catch (FormatException e)
        {
            throw new StorageCorruptException(path, FixedHeaderBytes, $"snapshot membership: {e.Message}");
        }
        var meta = new SnapshotMeta(new LogIndex(BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(16))),
            new Term(BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(24))), membership);
        return new Header(meta, header.Length, dataLength);
    }

    /// <summary>Reads the data (into <paramref name="destination"/> when given, else streaming) and checks its checksum.</summary>
    public static void VerifyData(string path, SafeFileHandle handle, Header header, Span<byte> destination)
    {
        var buffer = destination.Length > 0 ? destination : new byte[(int)Math.Min(header.DataLength, 1 << 20)];
        var crc = 0u;
        long done = 0;
        while (done < header.DataLength)
        {
            var slice = destination.Length > 0 ? buffer[(int)done..] : buffer[..(int)Math.Min(buffer.Length, header.DataLength - done)];
            var n = RandomAccess.Read(handle, slice, header.DataOffset + done);
            if (n == 0) throw new StorageCorruptException(path, header.DataOffset + done, "snapshot data ends early");
            crc = Crc32C.Append(crc, slice[..n]);
            done += n;
        }
        Span<byte> trailer = stackalloc byte[TrailerBytes];
        var trailerAt = header.DataOffset + header.DataLength;
        if (RandomAccess.Read(handle, trailer, trailerAt) < TrailerBytes || BinaryPrimitives.ReadUInt32LittleEndian(trailer) != crc)
            throw new StorageCorruptException(path, trailerAt, "snapshot data checksum mismatch");
    }
}

using System.Buffers.Binary;
using Cairn.Storage.Internal;

namespace Cairn.Storage.Log;

/// <summary>
/// The log's base position, file <c>log/base</c>: <c>"CAIRNLBS"</c>, u32 version, u64 index, u64 term, u32 crc32c
/// of everything before it. Written by atomic replace; absent means (0, 0).
/// </summary>
internal static class LogBase
{
    public const string FileName = "base";
    private const int Bytes = 8 + 4 + 8 + 8 + 4;
    private const uint Version = 1;
    private static ReadOnlySpan<byte> Magic => "CAIRNLBS"u8;

    public static void Write(string path, ulong index, ulong term, bool sync)
    {
        Span<byte> bytes = stackalloc byte[Bytes];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[8..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[12..], index);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[20..], term);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[28..], Crc32C.Compute(bytes[..28]));
        FileSystem.ReplaceAtomically(path, bytes, sync);
    }

    public static (ulong Index, ulong Term) Read(string path)
    {
        var bytes = FileSystem.ReadIfExists(path);
        if (bytes is null) return (0, 0);
        if (bytes.Length != Bytes || !bytes.AsSpan(0, 8).SequenceEqual(Magic))
            throw new StorageCorruptException(path, 0, $"not a Cairn log base file ({bytes.Length} bytes)");
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)) != Version)
            throw new StorageCorruptException(path, 8, "unsupported log base version");
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(28)) != Crc32C.Compute(bytes.AsSpan(0, 28)))
            throw new StorageCorruptException(path, 28, "log base checksum mismatch");
        return (BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(12)), BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(20)));
    }
}

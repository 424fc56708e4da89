using System.Buffers.Binary;
using Cairn.Consensus;
using Cairn.Consensus.Storage;
using Cairn.Storage.Internal;

namespace Cairn.Storage.Stable;

/// <summary>
/// The stable file: <c>"CAIRNSTB"</c>, u32 version, u32 body length, body = u64 term, u64 vote, u64 commit,
/// bootstrap membership (<see cref="MembershipCodec"/>), then u32 crc32c of everything before it.
/// </summary>
internal static class StableFormat
{
    private const uint Version = 1;
    private const int PrefixBytes = 16;
    private const int FixedBodyBytes = 24;
    private static ReadOnlySpan<byte> Magic => "CAIRNSTB"u8;

    public static byte[] Encode(StableState state)
    {
        var membership = MembershipCodec.EncodeMembership(state.Bootstrap);
        var bodyLength = FixedBodyBytes + membership.Length;
        var bytes = new byte[PrefixBytes + bodyLength + 4];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)bodyLength);
        BinaryPrimitives.WriteUInt64LittleEndian(span[16..], state.HardState.Term.Value);
        BinaryPrimitives.WriteUInt64LittleEndian(span[24..], state.HardState.Vote.Value);
        BinaryPrimitives.WriteUInt64LittleEndian(span[32..], state.HardState.Commit.Value);
        membership.CopyTo(span[40..]);
        var crcAt = PrefixBytes + bodyLength;
        BinaryPrimitives.WriteUInt32LittleEndian(span[crcAt..], Crc32C.Compute(span[..crcAt]));
        return bytes;
    }

    /// <summary>Decodes a stable file's bytes; any damage throws <see cref="StorageCorruptException"/> naming <paramref name="path"/>.</summary>
    public static StableState Decode(string path, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < PrefixBytes + FixedBodyBytes + 4 || !bytes[..8].SequenceEqual(Magic))
            throw Corrupt(path, 0, $"not a Cairn stable-state file ({bytes.Length} bytes)");
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]) != Version) throw Corrupt(path, 8, "unsupported stable-state version");
        var bodyLength = BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]);
        if (bodyLength < FixedBodyBytes || bodyLength != bytes.Length - PrefixBytes - 4)
            throw Corrupt(path, 12, $"body length {bodyLength} does not match the file's size {bytes.Length}");
        var crcAt = PrefixBytes + (int)bodyLength;
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes[crcAt..]) != Crc32C.Compute(bytes[..crcAt]))
            throw Corrupt(path, crcAt, "checksum mismatch (the file was damaged after it was written)");
        var hard = new HardState(new Term(BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..])),
            new NodeId(BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..])),
            new LogIndex(BinaryPrimitives.ReadUInt64LittleEndian(bytes[32..])));
        try
        {
            return new StableState(hard, MembershipCodec.DecodeMembership(bytes[40..crcAt]));
        }
        catch (FormatException e)
        {
            throw Corrupt(path, 40, $"bootstrap membership: {e.Message}");
        }
    }

    private static StorageCorruptException Corrupt(string path, long offset, string reason) =>
        new(path, offset, $"{reason}. Refusing to start: the node's term and vote are unknown.");
}

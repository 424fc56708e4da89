using System.Buffers.Binary;
using System.Text;

namespace Cairn.FaultTests.Hostile;

/// <summary>
/// Malformed and oversized frames sent to a node's peer port from a rogue TCP connection (S12), each on its own
/// connection: the node must close that connection and keep serving. Frames follow the peer protocol's framing
/// (<c>[u32 length][u8 type][payload]</c>, little-endian; Cairn.Transport DESIGN.md) wherever the case needs it.
/// </summary>
public static class RoguePeer
{
    public const ushort ProtocolVersion = 1;

    /// <summary>(label, bytes) for every rogue connection; <paramref name="memberId"/> is a real member's node id to impersonate.</summary>
    public static IReadOnlyList<(string Label, byte[] Bytes)> Cases(string clusterId, ulong memberId)
    {
        var random = new Random(12);
        var garbage = new byte[1024];
        random.NextBytes(garbage);
        var hello = Handshake("CAIRN", clusterId, memberId);
        return
        [
            ("random bytes", garbage),
            ("length prefix of 4 GiB", Frame(0xFFFF_FFF0, 3, [])),
            ("zero-length frame", [0, 0, 0, 0]),
            ("bad handshake magic", Handshake("XXXXX", clusterId, memberId)),
            ("handshake of another cluster", Handshake("CAIRN", "other-cluster", memberId)),
            ("handshake with node id 0", Handshake("CAIRN", clusterId, 0)),
            ("raft frame before any handshake", Frame(5, 3, [0, 0, 0, 0])),
            ("after a handshake: a message count of 4 billion", [.. hello, .. Frame(5, 3, [0xff, 0xff, 0xff, 0xff])]),
            ("after a handshake: an unknown frame type", [.. hello, .. Frame(4, 99, [1, 2, 3])]),
            ("after a handshake: a truncated message", [.. hello, .. Frame(9, 3, [1, 0, 0, 0, 5, 1, 2, 3])]),
            ("after a handshake: a second handshake", [.. hello, .. hello]),
            ("after a handshake: a blob longer than its frame", [.. hello, .. Frame(17, 4, [.. new byte[8], 0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4])]),
        ];
    }

    private static byte[] Handshake(string magic, string clusterId, ulong nodeId)
    {
        var cluster = Encoding.UTF8.GetBytes(clusterId);
        var payload = new byte[5 + 2 + 2 + cluster.Length + 8];
        Encoding.ASCII.GetBytes(magic).CopyTo(payload, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(5), ProtocolVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(7), (ushort)cluster.Length);
        cluster.CopyTo(payload, 9);
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(9 + cluster.Length), nodeId);
        return Frame((uint)(payload.Length + 1), 1, payload);
    }

    /// <summary>A frame with the given length prefix (which may lie about the payload) and type.</summary>
    private static byte[] Frame(uint length, byte type, byte[] payload)
    {
        var frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, length);
        frame[4] = type;
        payload.CopyTo(frame, 5);
        return frame;
    }
}

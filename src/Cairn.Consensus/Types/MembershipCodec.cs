using System.Buffers.Binary;

namespace Cairn.Consensus;

/// <summary>
/// The payload of a <see cref="EntryKind.Membership"/> entry: the change and the full configuration it
/// produces, so a node can adopt it without knowing the configuration before it (joining nodes, restarts).
/// </summary>
public sealed record MembershipEntry(MembershipChange Change, Membership Result);

/// <summary>
/// Hand-written little-endian encoding of membership payloads (also usable by transports and snapshot stores).
/// Layout: [u8 version=1][u8 change kind][u64 change node][u32 voters][u64 × voters][u32 learners][u64 × learners].
/// A bare configuration uses change kind 0 and node 0.
/// </summary>
public static class MembershipCodec
{
    private const byte Version = 1;

    /// <summary>Upper bound on members accepted by the decoder, so a corrupt length cannot allocate without bound.</summary>
    public const int MembersMax = 4096;

    public static byte[] Encode(MembershipEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Encode((byte)entry.Change.Kind, entry.Change.Node, entry.Result);
    }

    public static byte[] EncodeMembership(Membership membership)
    {
        ArgumentNullException.ThrowIfNull(membership);
        return Encode(0, NodeId.None, membership);
    }

    public static MembershipEntry DecodeEntry(ReadOnlySpan<byte> data)
    {
        if (!TryDecode(data, out var kind, out var node, out var membership) || kind == 0)
            throw new FormatException("malformed membership entry");
        return new MembershipEntry(new MembershipChange((MembershipChangeKind)kind, node), membership);
    }

    public static Membership DecodeMembership(ReadOnlySpan<byte> data)
    {
        if (!TryDecode(data, out _, out _, out var membership))
            throw new FormatException("malformed membership");
        return membership;
    }

    private static byte[] Encode(byte kind, NodeId node, Membership m)
    {
        var size = 1 + 1 + 8 + 4 + (8 * m.Voters.Count) + 4 + (8 * m.Learners.Count);
        var buffer = new byte[size];
        var span = buffer.AsSpan();
        span[0] = Version;
        span[1] = kind;
        BinaryPrimitives.WriteUInt64LittleEndian(span[2..], node.Value);
        var at = 10;
        at = WriteIds(span, at, m.Voters);
        at = WriteIds(span, at, m.Learners);
        Invariant.Check(at == size);
        return buffer;
    }

    private static int WriteIds(Span<byte> span, int at, IReadOnlyList<NodeId> ids)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], (uint)ids.Count);
        at += 4;
        foreach (var id in ids)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(span[at..], id.Value);
            at += 8;
        }
        return at;
    }

    private static bool TryDecode(ReadOnlySpan<byte> data, out byte kind, out NodeId node, out Membership membership)
    {
        kind = 0;
        node = NodeId.None;
        membership = Membership.Empty;
        if (data.Length < 10 || data[0] != Version) return false;
        kind = data[1];
        if (kind > (byte)MembershipChangeKind.DemoteVoter) return false;
        node = new NodeId(BinaryPrimitives.ReadUInt64LittleEndian(data[2..]));
        var at = 10;
        if (!TryReadIds(data, ref at, out var voters) || !TryReadIds(data, ref at, out var learners)) return false;
        if (at != data.Length) return false;
        try
        {
            membership = new Membership(voters, learners);
        }
        catch (ArgumentException)
        {
            return false;
        }
        return true;
    }

    private static bool TryReadIds(ReadOnlySpan<byte> data, ref int at, out NodeId[] ids)
    {
        ids = [];
        if (data.Length - at < 4) return false;
        var count = BinaryPrimitives.ReadUInt32LittleEndian(data[at..]);
        at += 4;
        if (count > MembersMax || (long)(data.Length - at) < count * 8L) return false;
        ids = new NodeId[count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = new NodeId(BinaryPrimitives.ReadUInt64LittleEndian(data[at..]));
            at += 8;
        }
        return true;
    }
}

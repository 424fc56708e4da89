using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Cairn.Consensus;

namespace Cairn.Transport.Wire;

public static partial class FrameCodec
{
    /// <summary>
    /// Reads the 5-byte header when present. Returns false when fewer than 5 bytes are buffered. Throws
    /// <see cref="FrameFormatException"/> for a length of zero or over <paramref name="frameBytesMax"/> and for an
    /// unknown type, before any payload is waited for, so an absurd length prefix costs nothing.
    /// </summary>
    /// <param name="length">Bytes after the length field: type byte + payload.</param>
    public static bool TryReadHeader(in ReadOnlySequence<byte> buffer, int frameBytesMax, out int length, out FrameType type)
    {
        length = 0;
        type = default;
        if (buffer.Length < WireLimits.FrameHeaderBytes) return false;
        var reader = new SequenceReader<byte>(buffer);
        var raw = WireReader.U32(ref reader, "frame length");
        if (raw == 0 || raw > (uint)frameBytesMax)
            throw new FrameFormatException($"frame length {raw} outside [1, {frameBytesMax}]");
        var typeByte = WireReader.U8(ref reader, "frame type");
        if (typeByte is < (byte)FrameType.Handshake or > (byte)FrameType.JoinResponse)
            throw new FrameFormatException($"unknown frame type {typeByte}");
        length = (int)raw;
        type = (FrameType)typeByte;
        return true;
    }

    /// <summary>
    /// Reads one whole frame from the front of <paramref name="buffer"/> and slices it off. Returns false (buffer
    /// untouched) when the frame is not complete yet; throws <see cref="FrameFormatException"/> when it is malformed.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int frameBytesMax, [NotNullWhen(true)] out Frame? frame)
    {
        frame = null;
        if (!TryReadHeader(buffer, frameBytesMax, out var length, out var type)) return false;
        if (buffer.Length - 4 < length) return false;
        frame = DecodePayload(type, buffer.Slice(WireLimits.FrameHeaderBytes, length - 1));
        buffer = buffer.Slice(4 + (long)length);
        return true;
    }

    /// <summary>Decodes the payload of a frame of <paramref name="type"/>; the payload must be consumed exactly.</summary>
    public static Frame DecodePayload(FrameType type, in ReadOnlySequence<byte> payload)
    {
        var reader = new SequenceReader<byte>(payload);
        Frame frame = type switch
        {
            FrameType.Handshake => ReadHandshake(ref reader),
            FrameType.HandshakeAck => new HandshakeAckFrame(
                WireReader.Bool(ref reader, "accepted"),
                new NodeId(WireReader.U64(ref reader, "node id")),
                WireReader.Utf8(ref reader, "reason", WireLimits.ReasonBytesMax)),
            FrameType.RaftMessages => ReadRaftMessages(ref reader),
            FrameType.ForwardProposal => new ForwardProposalFrame(
                WireReader.U64(ref reader, "correlation id"),
                WireReader.Blob(ref reader, "proposal payload")),
            FrameType.ForwardResult => new ForwardResultFrame(
                WireReader.U64(ref reader, "correlation id"),
                WireReader.U8(ref reader, "status"),
                WireReader.Blob(ref reader, "result payload")),
            FrameType.JoinRequest => new JoinRequestFrame(
                WireReader.U64(ref reader, "correlation id"),
                new NodeId(WireReader.U64(ref reader, "node id")),
                WireReader.Utf8(ref reader, "peer address", WireLimits.AddressBytesMax),
                WireReader.Utf8(ref reader, "http address", WireLimits.AddressBytesMax),
                WireReader.Blob(ref reader, "join payload")),
            FrameType.JoinResponse => new JoinResponseFrame(
                WireReader.U64(ref reader, "correlation id"),
                WireReader.U8(ref reader, "status"),
                new NodeId(WireReader.U64(ref reader, "node id")),
                WireReader.Utf8(ref reader, "peer address", WireLimits.AddressBytesMax),
                WireReader.Utf8(ref reader, "http address", WireLimits.AddressBytesMax),
                WireReader.Blob(ref reader, "join payload")),
            _ => throw new FrameFormatException($"unknown frame type {(byte)type}"),
        };
        if (!reader.End) throw new FrameFormatException($"{reader.Remaining} trailing bytes after a {type} frame");
        return frame;
    }

    private static HandshakeFrame ReadHandshake(ref SequenceReader<byte> reader)
    {
        Span<byte> magic = stackalloc byte[WireLimits.Magic.Length];
        if (!reader.TryCopyTo(magic)) throw WireReader.Truncated("magic");
        reader.Advance(magic.Length);
        if (!magic.SequenceEqual(WireLimits.Magic)) throw new FrameFormatException("bad handshake magic");
        var version = WireReader.U16(ref reader, "protocol version");
        var clusterId = WireReader.Utf8(ref reader, "cluster id", WireLimits.ClusterIdBytesMax);
        var node = new NodeId(WireReader.U64(ref reader, "node id"));
        if (node.IsNone) throw new FrameFormatException("handshake from node id 0");
        return new HandshakeFrame(version, clusterId, node);
    }

    private static RaftMessagesFrame ReadRaftMessages(ref SequenceReader<byte> reader)
    {
        var count = WireReader.Count(ref reader, "message count", WireLimits.MessagesPerFrameMax, MessageCodec.HeaderBytes);
        var messages = new Message[count];
        for (var i = 0; i < count; i++) messages[i] = MessageCodec.Read(ref reader);
        return new RaftMessagesFrame(messages);
    }
}

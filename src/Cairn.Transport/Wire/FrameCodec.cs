using System.Buffers;
using Cairn.Consensus;

namespace Cairn.Transport.Wire;

/// <summary>
/// Frames on the wire: [u32 length][u8 type][payload], little-endian, where length counts the type byte and the payload.
/// Encoding measures first (exact size) and then writes straight into the caller's <see cref="IBufferWriter{T}"/>.
/// </summary>
public static partial class FrameCodec
{
    /// <summary>
    /// Exact bytes of <paramref name="frame"/> on the wire, header included; -1 when a field breaks a protocol limit
    /// (a string too long or not valid Unicode, too many messages). The frame-size limit is the caller's to compare.
    /// </summary>
    public static long GetFrameBytes(Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var payload = GetPayloadBytes(frame);
        return payload < 0 ? -1 : WireLimits.FrameHeaderBytes + payload;
    }

    /// <summary>Writes one frame. Throws <see cref="ArgumentException"/> when the frame breaks a limit (measure first).</summary>
    public static void Write(IBufferWriter<byte> output, Frame frame)
    {
        ArgumentNullException.ThrowIfNull(output);
        var total = GetFrameBytes(frame);
        if (total < 0 || total - 4 > uint.MaxValue) throw new ArgumentException($"{frame.Type} frame breaks a protocol limit", nameof(frame));
        var w = new WireWriter(output);
        w.U32((uint)(total - 4));
        w.U8((byte)frame.Type);
        WritePayload(ref w, frame);
        w.Flush();
        Invariant.Check(w.Written == total, "frame size differs from its measure");
    }

    /// <summary>Writes a RaftMessages frame for <paramref name="messages"/> (the hot path; what benchmarks measure).</summary>
    public static void WriteRaftMessages(IBufferWriter<byte> output, IReadOnlyList<Message> messages) =>
        Write(output, new RaftMessagesFrame(messages));

    private static long GetPayloadBytes(Frame frame)
    {
        switch (frame)
        {
            case HandshakeFrame h:
                var id = StringBytes(h.ClusterId, WireLimits.ClusterIdBytesMax);
                return id < 0 ? -1 : WireLimits.Magic.Length + 2 + 2 + id + 8;
            case HandshakeAckFrame a:
                var reason = StringBytes(a.Reason, WireLimits.ReasonBytesMax);
                return reason < 0 ? -1 : 1 + 8 + 2 + reason;
            case RaftMessagesFrame r:
                if (r.Messages.Count > WireLimits.MessagesPerFrameMax) return -1;
                long sum = 4;
                for (var i = 0; i < r.Messages.Count; i++) sum += MessageCodec.GetEncodedBytes(r.Messages[i]);
                return sum;
            case ForwardProposalFrame p:
                return 8 + 4 + p.Payload.Length;
            case ForwardResultFrame r:
                return 8 + 1 + 4 + r.Payload.Length;
            case JoinRequestFrame j:
                var (jp, jh) = (StringBytes(j.PeerAddress, WireLimits.AddressBytesMax), StringBytes(j.HttpAddress, WireLimits.AddressBytesMax));
                return jp < 0 || jh < 0 ? -1 : 8 + 8 + 2 + jp + 2 + jh + 4 + j.Payload.Length;
            case JoinResponseFrame j:
                var (rp, rh) = (StringBytes(j.PeerAddress, WireLimits.AddressBytesMax), StringBytes(j.HttpAddress, WireLimits.AddressBytesMax));
                return rp < 0 || rh < 0 ? -1 : 8 + 1 + 8 + 2 + rp + 2 + rh + 4 + j.Payload.Length;
            default:
                throw new ArgumentException($"no codec for {frame.GetType().Name}", nameof(frame));
        }
    }

    private static void WritePayload(ref WireWriter w, Frame frame)
    {
        switch (frame)
        {
            case HandshakeFrame h:
                w.Raw(WireLimits.Magic);
                w.U16(h.ProtocolVersion);
                w.Utf8(h.ClusterId, WireWriter.Utf8Bytes(h.ClusterId));
                w.U64(h.NodeId.Value);
                break;
            case HandshakeAckFrame a:
                w.Bool(a.Accepted);
                w.U64(a.NodeId.Value);
                w.Utf8(a.Reason, WireWriter.Utf8Bytes(a.Reason));
                break;
            case RaftMessagesFrame r:
                w.U32((uint)r.Messages.Count);
                for (var i = 0; i < r.Messages.Count; i++) MessageCodec.Write(ref w, r.Messages[i]);
                break;
            case ForwardProposalFrame p:
                w.U64(p.CorrelationId);
                w.Blob(p.Payload.Span);
                break;
            case ForwardResultFrame r:
                w.U64(r.CorrelationId);
                w.U8(r.Status);
                w.Blob(r.Payload.Span);
                break;
            case JoinRequestFrame j:
                w.U64(j.CorrelationId);
                w.U64(j.NodeId.Value);
                w.Utf8(j.PeerAddress, WireWriter.Utf8Bytes(j.PeerAddress));
                w.Utf8(j.HttpAddress, WireWriter.Utf8Bytes(j.HttpAddress));
                w.Blob(j.Payload.Span);
                break;
            case JoinResponseFrame j:
                w.U64(j.CorrelationId);
                w.U8(j.Status);
                w.U64(j.NodeId.Value);
                w.Utf8(j.PeerAddress, WireWriter.Utf8Bytes(j.PeerAddress));
                w.Utf8(j.HttpAddress, WireWriter.Utf8Bytes(j.HttpAddress));
                w.Blob(j.Payload.Span);
                break;
            default:
                throw new ArgumentException($"no codec for {frame.GetType().Name}", nameof(frame));
        }
    }

    private static int StringBytes(string value, int max)
    {
        if (value is null) return -1;
        var n = WireWriter.Utf8Bytes(value);
        return n > max ? -1 : n;
    }
}

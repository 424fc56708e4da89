using Cairn.Consensus;

namespace Cairn.Transport.Wire;

/// <summary>
/// One unit of the peer protocol. Frames are immutable once handed to a transport: the sender encodes them on its own
/// thread later, so the bytes behind a payload must not change after <c>TrySend</c>.
/// </summary>
/// <remarks>Records compare payload memory by reference, not content; compare decoded payloads with SequenceEqual.</remarks>
public abstract record Frame
{
    public abstract FrameType Type { get; }
}

/// <summary>Opens a connection: who is dialing, in which cluster, speaking which version. The magic is implicit.</summary>
public sealed record HandshakeFrame(ushort ProtocolVersion, string ClusterId, NodeId NodeId) : Frame
{
    public override FrameType Type => FrameType.Handshake;
}

/// <summary>The acceptor's answer. <paramref name="NodeId"/> is the acceptor's id, so the dialer can detect a wrong address.</summary>
public sealed record HandshakeAckFrame(bool Accepted, NodeId NodeId, string Reason) : Frame
{
    public override FrameType Type => FrameType.HandshakeAck;
}

/// <summary>Consensus messages in the order the driver produced them.</summary>
public sealed record RaftMessagesFrame(IReadOnlyList<Message> Messages) : Frame
{
    public override FrameType Type => FrameType.RaftMessages;
}

/// <summary>A proposal forwarded to the leader; the node layer matches the result by <paramref name="CorrelationId"/>.</summary>
public sealed record ForwardProposalFrame(ulong CorrelationId, ReadOnlyMemory<byte> Payload) : Frame
{
    public override FrameType Type => FrameType.ForwardProposal;
}

/// <summary>The outcome of a forwarded proposal; the status byte and payload belong to the node layer.</summary>
public sealed record ForwardResultFrame(ulong CorrelationId, byte Status, ReadOnlyMemory<byte> Payload) : Frame
{
    public override FrameType Type => FrameType.ForwardResult;
}

/// <summary>
/// A node asks to join. It advertises where peers and HTTP clients reach it, so the receiver can add its address
/// before answering (answers travel on the receiver's own outbound connection).
/// </summary>
public sealed record JoinRequestFrame(ulong CorrelationId, NodeId NodeId, string PeerAddress, string HttpAddress, ReadOnlyMemory<byte> Payload)
    : Frame
{
    public override FrameType Type => FrameType.JoinRequest;
}

/// <summary>The answer to a join request, from <paramref name="NodeId"/> (the responder), with the node layer's status and payload.</summary>
public sealed record JoinResponseFrame(ulong CorrelationId, byte Status, NodeId NodeId, string PeerAddress, string HttpAddress,
    ReadOnlyMemory<byte> Payload) : Frame
{
    public override FrameType Type => FrameType.JoinResponse;
}

namespace Cairn.Transport.Wire;

/// <summary>The type byte of a peer frame. Values are part of the protocol: never renumber, only add.</summary>
public enum FrameType : byte
{
    /// <summary>First frame of every connection, dialer → acceptor: magic, protocol version, cluster id, node id.</summary>
    Handshake = 1,

    /// <summary>The acceptor's answer to <see cref="Handshake"/>: accepted or refused with a reason.</summary>
    HandshakeAck = 2,

    /// <summary>A batch of consensus messages, each with its own kind byte.</summary>
    RaftMessages = 3,

    /// <summary>A follower forwards an encoded store command to the leader (opaque to the transport).</summary>
    ForwardProposal = 4,

    /// <summary>The leader's answer to a forwarded proposal (opaque to the transport).</summary>
    ForwardResult = 5,

    /// <summary>A new node asks a member to add it (opaque payload).</summary>
    JoinRequest = 6,

    /// <summary>The answer to a join request (opaque payload).</summary>
    JoinResponse = 7,
}

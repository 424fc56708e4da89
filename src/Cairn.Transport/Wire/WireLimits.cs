namespace Cairn.Transport.Wire;

/// <summary>
/// Protocol constants and the decoder's limits. Every length or count read from the wire is checked against one of
/// these AND against the bytes actually left in the frame before anything is allocated.
/// </summary>
public static class WireLimits
{
    /// <summary>Bumped on any incompatible change of a frame layout; a peer with another version is refused.</summary>
    public const ushort ProtocolVersion = 2; // 2: the Recovering flag on replication answers

    /// <summary>[u32 length][u8 type]: the length counts the type byte and the payload.</summary>
    public const int FrameHeaderBytes = 5;

    /// <summary>
    /// Default largest frame (type + payload). Must exceed the largest AppendEntries batch (RaftConfig.MessageBytesMax,
    /// 1 MiB by default, plus one entry that may exceed it alone) and snapshot chunk (SnapshotChunkBytesMax, 1 MiB).
    /// </summary>
    public const int FrameBytesMaxDefault = 16 << 20;

    /// <summary>Smallest frame limit an option may set: a handshake and a few small messages must always fit.</summary>
    public const int FrameBytesMinAllowed = 4096;

    /// <summary>Largest cluster id, in UTF-8 bytes.</summary>
    public const int ClusterIdBytesMax = 64;

    /// <summary>Largest refusal reason in a handshake ack, in UTF-8 bytes (longer reasons are truncated by the sender).</summary>
    public const int ReasonBytesMax = 256;

    /// <summary>Largest advertised address (peer or HTTP) in a join frame, in UTF-8 bytes.</summary>
    public const int AddressBytesMax = 256;

    /// <summary>Consensus messages per RaftMessages frame.</summary>
    public const int MessagesPerFrameMax = 65_536;

    /// <summary>Entries per AppendEntries message accepted by the decoder.</summary>
    public const int EntriesPerMessageMax = 1 << 20;

    /// <summary>The 5 ASCII bytes every handshake starts with, so that a stray client on the peer port is told apart.</summary>
    public static ReadOnlySpan<byte> Magic => "CAIRN"u8;
}

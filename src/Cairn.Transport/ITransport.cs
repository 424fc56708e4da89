using Cairn.Transport.Wire;

namespace Cairn.Transport;

/// <summary>
/// Moves frames between cluster members. Two implementations share this contract: <see cref="Tcp.TcpTransport"/>
/// (production) and <see cref="InMemory.InMemoryTransport"/> (tests, single-process clusters, <c>--in-memory</c>).
/// </summary>
/// <remarks>
/// Threading contract: every member is thread-safe. <see cref="TrySend"/> never blocks and never throws for operating
/// conditions (unknown peer, full queue, oversized frame, stopped transport): it returns false and counts the drop, so
/// the Raft loop can call it directly. Delivery is at most once and in order per (sender, receiver) pair; frames may be
/// lost when a connection breaks (Raft retransmits). Frames handed to <see cref="TrySend"/> must not be mutated later.
/// </remarks>
public interface ITransport : IAsyncDisposable
{
    /// <summary>This node's id (sent in handshakes; frames from others are addressed to it).</summary>
    NodeId LocalId { get; }

    /// <summary>The largest frame (type + payload) this transport sends or accepts.</summary>
    int FrameBytesMax { get; }

    /// <summary>Begins connecting to peers and delivering received frames to <paramref name="handler"/>. Call once.</summary>
    void Start(IPeerFrameHandler handler);

    /// <summary>Closes every connection and stops every loop; queued frames are discarded. Idempotent.</summary>
    Task StopAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the set of peers this node sends to. New peers get a connection, removed ones lose theirs, a changed
    /// address reconnects. An entry for <see cref="LocalId"/> is ignored, so a whole-cluster map can be passed as is.
    /// </summary>
    void SetPeers(IReadOnlyDictionary<NodeId, PeerAddress> peers);

    /// <summary>Queues <paramref name="frame"/> for <paramref name="to"/>; false when it was not queued (see remarks).</summary>
    bool TrySend(NodeId to, Frame frame);

    /// <summary>A snapshot of per-peer counters, ordered by peer id.</summary>
    IReadOnlyList<PeerStats> GetPeerStats();

    /// <summary>A snapshot of transport-wide counters.</summary>
    TransportStats GetStats();
}

/// <summary>
/// What a node registers to receive frames. Called on transport threads: frames from one peer arrive one at a time and
/// in order, frames from different peers may arrive concurrently. Implementations must be thread-safe, must not block
/// (hand the frame to a bounded queue of the node's own) and should not throw (a throw closes that peer's connection).
/// </summary>
public interface IPeerFrameHandler
{
    /// <summary>A frame from <paramref name="from"/>, already validated (RaftMessages are addressed from that peer to this node).</summary>
    void OnFrame(NodeId from, Frame frame);

    /// <summary>
    /// Frames to <paramref name="peer"/> were or will be lost (connection failed or broke, queue discarded); the node
    /// should call <c>RaftNode.ReportUnreachable</c> on its own loop. Reported once per outage, not per frame.
    /// </summary>
    void OnPeerUnreachable(NodeId peer);
}

/// <summary>Counters for one outbound peer link.</summary>
/// <param name="Connected">An outbound connection is established and past its handshake.</param>
/// <param name="FramesDropped">Frames refused by TrySend (queue full) or discarded from the queue when the link failed.</param>
/// <param name="Reconnects">Connections established after the first one.</param>
/// <param name="ConnectFailures">Connection attempts that failed (refused, timed out, handshake refused).</param>
public sealed record PeerStats(NodeId Peer, PeerAddress Address, bool Connected, int QueuedFrames, long QueuedBytes,
    long FramesSent, long BytesSent, long FramesDropped, long Reconnects, long ConnectFailures);

/// <summary>Transport-wide counters, mostly about the inbound side.</summary>
/// <param name="FramesRefused">TrySend calls refused before any queue: unknown peer, oversized frame, not running.</param>
/// <param name="MalformedFrames">Inbound connections closed because a frame failed to decode or broke the protocol.</param>
public sealed record TransportStats(long FramesReceived, long InboundConnections, long HandshakesRefused, long MalformedFrames, long FramesRefused);

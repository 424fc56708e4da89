using Microsoft.Extensions.Logging;

namespace Cairn.Transport.Tcp;

/// <summary>Source-generated log messages of the TCP transport (no formatting cost when the level is off).</summary>
internal static partial class TransportLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "peer {Peer} at {Address}: connected")]
    public static partial void Connected(ILogger logger, NodeId peer, PeerAddress address);

    [LoggerMessage(Level = LogLevel.Debug, Message = "peer {Peer} at {Address}: connection attempt failed: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, NodeId peer, PeerAddress address, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "peer {Peer} at {Address}: handshake refused: {Reason}")]
    public static partial void HandshakeRefusedByPeer(ILogger logger, NodeId peer, PeerAddress address, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "peer {Peer} at {Address}: connection lost: {Reason}")]
    public static partial void ConnectionLost(ILogger logger, NodeId peer, PeerAddress address, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "inbound {Remote}: handshake refused: {Reason}")]
    public static partial void HandshakeRefused(ILogger logger, string remote, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "inbound {Remote} (node {Peer}): closing after a protocol violation: {Reason}")]
    public static partial void ProtocolViolation(ILogger logger, string remote, NodeId peer, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "inbound {Remote} (node {Peer}): the frame handler threw; closing the connection")]
    public static partial void HandlerFailed(ILogger logger, string remote, NodeId peer, Exception error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "inbound {Remote} (node {Peer}): accepted")]
    public static partial void Accepted(ILogger logger, string remote, NodeId peer);
}

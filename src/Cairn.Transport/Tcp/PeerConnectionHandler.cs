using Microsoft.AspNetCore.Connections;

namespace Cairn.Transport.Tcp;

/// <summary>Kestrel's entry point for the peer endpoint: every accepted connection is served by the transport.</summary>
public sealed class PeerConnectionHandler(TcpTransport transport) : ConnectionHandler
{
    public override Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return transport.AcceptAsync(connection.Transport, connection.RemoteEndPoint?.ToString() ?? connection.ConnectionId,
            connection.ConnectionClosed);
    }
}

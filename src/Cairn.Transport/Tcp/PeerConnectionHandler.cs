using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Cairn.Transport.Tcp;

/// <summary>Kestrel's entry point for the peer endpoint: every accepted connection is served by the transport.</summary>
public sealed class PeerConnectionHandler(TcpTransport transport) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        // Kestrel asks connections to close on shutdown through the lifetime notification; honour it at once
        // instead of waiting for the server's shutdown timeout to abort us.
        var closeRequested = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? default;
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, closeRequested);
        await transport.AcceptAsync(connection.Transport, connection.RemoteEndPoint?.ToString() ?? connection.ConnectionId, closing.Token);
    }
}

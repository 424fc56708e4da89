using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Transport.Tcp;

/// <summary>Registers the peer protocol on a Kestrel endpoint beside the HTTP one.</summary>
public static class PeerTransportHosting
{
    /// <summary>
    /// Registers <paramref name="transport"/> (as itself and as <see cref="ITransport"/>) and listens for peers on
    /// <paramref name="peerEndpoint"/>. Endpoints configured in code replace the <c>urls</c> setting, so the caller must
    /// also configure its HTTP endpoint through <see cref="KestrelServerOptions"/>.
    /// </summary>
    public static WebApplicationBuilder AddPeerTransport(this WebApplicationBuilder builder, TcpTransport transport, IPEndPoint peerEndpoint)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(peerEndpoint);
        builder.Services.AddSingleton(transport);
        builder.Services.AddSingleton<ITransport>(transport);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenPeers(peerEndpoint));
        return builder;
    }

    /// <summary>Adds a peer-protocol endpoint; <see cref="TcpTransport"/> must be registered in the services.</summary>
    public static KestrelServerOptions ListenPeers(this KestrelServerOptions options, IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Listen(endpoint, listen => listen.UsePeerProtocol());
        return options;
    }

    /// <summary>Serves the peer protocol on this endpoint instead of HTTP.</summary>
    public static ListenOptions UsePeerProtocol(this ListenOptions listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        listen.UseConnectionHandler<PeerConnectionHandler>();
        return listen;
    }
}

using System.Net;
using Cairn.Transport.Tcp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cairn.Transport.Tests.Support;

/// <summary>A Kestrel server on 127.0.0.1 serving only the peer protocol for one transport; port 0 picks a free port.</summary>
internal sealed class PeerHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private PeerHost(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public PeerAddress Address => new("127.0.0.1", Port);

    public static async Task<PeerHost> StartAsync(TcpTransport transport, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(transport);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenPeers(new IPEndPoint(IPAddress.Loopback, port)));
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        var app = builder.Build();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new PeerHost(app, new Uri(address).Port);
    }

    /// <summary>Stops listening and closes every accepted connection (the node behind it "goes away").</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}

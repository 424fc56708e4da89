using Cairn.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cairn.LoadTest.Tests;

/// <summary>The real single-node server, in-process on an ephemeral loopback port.</summary>
public sealed class RealNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RealNode(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<RealNode> StartAsync()
    {
        var app = CairnApi.BuildSingleNode(["--urls", "http://127.0.0.1:0"], b => b.Logging.ClearProviders());
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new RealNode(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

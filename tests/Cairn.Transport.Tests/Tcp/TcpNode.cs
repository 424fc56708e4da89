using Cairn.Transport.Tcp;
using Cairn.Transport.Tests.Support;

namespace Cairn.Transport.Tests.Tcp;

/// <summary>One node's transport, its Kestrel peer listener and what it received.</summary>
internal sealed class TcpNode : IAsyncDisposable
{
    private TcpNode(TcpTransport transport, PeerHost host)
    {
        Transport = transport;
        Host = host;
    }

    public TcpTransport Transport { get; }
    public PeerHost Host { get; private set; }
    public RecordingHandler Handler { get; } = new();
    public NodeId Id => Transport.LocalId;

    public static async Task<TcpNode> CreateAsync(TransportOptions options)
    {
        var transport = new TcpTransport(options);
        return new TcpNode(transport, await PeerHost.StartAsync(transport));
    }

    /// <summary>Starts hosts for every node, gives each the others' addresses, starts them and waits until all links are up.</summary>
    public static async Task<TcpNode[]> ClusterAsync(params TransportOptions[] options)
    {
        var nodes = await Task.WhenAll(options.Select(CreateAsync));
        var peers = nodes.ToDictionary(n => n.Id, n => n.Host.Address);
        foreach (var node in nodes)
        {
            node.Transport.SetPeers(peers);
            node.Transport.Start(node.Handler);
        }
        foreach (var node in nodes)
        {
            await Eventually.TrueAsync(() => node.Transport.GetPeerStats().All(s => s.Connected), $"{node.Id} connected to every peer",
                node.Handler.Signal);
        }
        return nodes;
    }

    /// <summary>Brings the listener back on the same port after <see cref="PeerHost.StopAsync"/>.</summary>
    public async Task RestartHostAsync()
    {
        await Host.DisposeAsync();
        Host = await PeerHost.StartAsync(Transport, Host.Port);
    }

    public async ValueTask DisposeAsync()
    {
        await Transport.StopAsync();
        await Host.DisposeAsync();
    }
}

using System.Net;
using System.Net.Sockets;
using Cairn.Transport.Tcp;
using Cairn.Transport.Tests.Support;
using Cairn.Transport.Wire;

namespace Cairn.Transport.Tests.Tcp;

/// <summary>Peers that misbehave at the TCP level, played by a test-owned listener.</summary>
public sealed class TcpStuckPeerTests
{
    private static readonly NodeId Peer = new(2);

    private sealed class FakeAcceptor : IDisposable
    {
        private readonly Socket _listener = new(SocketType.Stream, ProtocolType.Tcp);

        public FakeAcceptor()
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen();
        }

        public PeerAddress Address => new("127.0.0.1", ((IPEndPoint)_listener.LocalEndPoint!).Port);

        /// <summary>Accepts one connection, reads its handshake and answers with <paramref name="ack"/>.</summary>
        public async Task<RawPeer> AcceptAndAnswerAsync(HandshakeAckFrame ack)
        {
            var socket = await _listener.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(10));
            var peer = RawPeer.FromAccepted(socket);
            Assert.IsType<HandshakeFrame>(await peer.ReadFrameAsync());
            await peer.SendAsync(ack);
            return peer;
        }

        public void Dispose() => _listener.Dispose();
    }

    [Fact]
    public async Task PeerThatStopsReading_LosesItsConnection_AfterTheWriteTimeout()
    {
        using var acceptor = new FakeAcceptor();
        await using var transport = new TcpTransport(Frames.Options(1) with { WriteTimeoutMs = 300, ReconnectDelayMinMs = 5_000, ReconnectDelayMaxMs = 5_000 });
        var handler = new RecordingHandler();
        transport.SetPeers(new Dictionary<NodeId, PeerAddress> { [Peer] = acceptor.Address });
        transport.Start(handler);
        await using var stuck = await acceptor.AcceptAndAnswerAsync(new HandshakeAckFrame(true, Peer, ""));
        await Eventually.TrueAsync(() => transport.GetPeerStats()[0].Connected, "connected", handler.Signal);

        // Far more than loopback socket buffers hold; the peer never reads a byte.
        for (var i = 0; i < 48; i++) transport.TrySend(Peer, new ForwardProposalFrame((ulong)i, new byte[1 << 20]));

        await Eventually.TrueAsync(() => handler.Unreachable.Contains(Peer), "the stuck peer was given up on", handler.Signal);
        var stats = transport.GetPeerStats()[0];
        Assert.False(stats.Connected);
        Assert.True(stats.FramesDropped > 0);
        Assert.True(stats.FramesSent < 48);
    }

    [Fact]
    public async Task Dialer_RefusesAnAcceptorWithAnotherNodeId()
    {
        using var acceptor = new FakeAcceptor();
        await using var transport = new TcpTransport(Frames.Options(1) with { ReconnectDelayMinMs = 5_000, ReconnectDelayMaxMs = 5_000 });
        var handler = new RecordingHandler();
        transport.SetPeers(new Dictionary<NodeId, PeerAddress> { [Peer] = acceptor.Address });
        transport.Start(handler);
        await using var impostor = await acceptor.AcceptAndAnswerAsync(new HandshakeAckFrame(true, new NodeId(7), ""));

        await Eventually.TrueAsync(() => handler.Unreachable.Contains(Peer), "the dialer gave up on the wrong node", handler.Signal);
        Assert.True(await impostor.IsClosedByServerAsync());
        Assert.Equal(1, transport.GetPeerStats()[0].ConnectFailures);
        Assert.Equal(0, transport.GetPeerStats()[0].Reconnects);
    }
}

using System.Net;
using System.Net.Sockets;
using Cairn.Transport.Tcp;
using Cairn.Transport.Tests.Support;
using Cairn.Transport.Tests.Wire;
using Cairn.Transport.Wire;

namespace Cairn.Transport.Tests.Tcp;

public sealed class TcpFailureTests
{
    [Fact]
    public async Task Sender_Reconnects_AfterThePeersListenerStopsAndComesBack()
    {
        var nodes = await TcpNode.ClusterAsync(Frames.Options(1), Frames.Options(2));
        var (a, b) = (nodes[0], nodes[1]);
        try
        {
            Assert.True(a.Transport.TrySend(b.Id, Frames.Tagged(a.Id, b.Id, 1)));
            await Eventually.TrueAsync(() => b.Handler.Frames.Count == 1, "first frame", b.Handler.Signal);

            await b.Host.StopAsync();
            await Eventually.TrueAsync(() => !a.Transport.GetPeerStats()[0].Connected && a.Handler.Unreachable.Contains(b.Id),
                "the sender noticed the peer went away", a.Handler.Signal);

            await b.RestartHostAsync();
            ulong tag = 100;
            await Eventually.TrueAsync(() => b.Handler.HeartbeatTags(a.Id).Any(t => t >= 100), "a frame after the restart arrived",
                b.Handler.Signal, eachRound: () => a.Transport.TrySend(b.Id, Frames.Tagged(a.Id, b.Id, tag++)));

            var stats = a.Transport.GetPeerStats()[0];
            Assert.True(stats.Connected);
            Assert.True(stats.Reconnects >= 1);
            var tags = b.Handler.HeartbeatTags(a.Id);
            Assert.Equal(tags.Order(), tags); // what arrived after the outage is still in order
        }
        finally
        {
            foreach (var n in nodes) await n.DisposeAsync();
        }
    }

    [Fact]
    public async Task FullSendQueue_ReturnsFalse_WithoutBlocking()
    {
        // A listener that accepts but never answers the handshake: the sender waits there, its queue fills.
        using var silent = new Socket(SocketType.Stream, ProtocolType.Tcp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        silent.Listen();
        var port = ((IPEndPoint)silent.LocalEndPoint!).Port;
        var accepted = silent.AcceptAsync();

        await using var transport = new TcpTransport(Frames.Options(1) with { SendQueueFramesMax = 4, HandshakeTimeoutMs = 60_000 });
        var peer = new NodeId(2);
        transport.SetPeers(new Dictionary<NodeId, PeerAddress> { [peer] = new("127.0.0.1", port) });
        transport.Start(new RecordingHandler());
        using var connection = await accepted.WaitAsync(TimeSpan.FromSeconds(10));

        for (ulong i = 0; i < 4; i++) Assert.True(transport.TrySend(peer, Frames.Tagged(transport.LocalId, peer, i)));
        Assert.False(transport.TrySend(peer, Frames.Tagged(transport.LocalId, peer, 4)));
        Assert.False(transport.TrySend(peer, Frames.Tagged(transport.LocalId, peer, 5)));

        var stats = transport.GetPeerStats()[0];
        Assert.Equal(4, stats.QueuedFrames);
        Assert.Equal(2, stats.FramesDropped);
        Assert.False(stats.Connected);
    }

    [Fact]
    public async Task TrySend_RefusesUnknownPeers_OversizedFrames_AndAfterStop()
    {
        var transport = new TcpTransport(Frames.Options(1) with { FrameBytesMax = 4096 });
        var peer = new NodeId(2);
        transport.SetPeers(new Dictionary<NodeId, PeerAddress> { [peer] = new("127.0.0.1", 1) });
        Assert.False(transport.TrySend(peer, Frames.Tagged(transport.LocalId, peer, 0))); // not started
        transport.Start(new RecordingHandler());

        Assert.False(transport.TrySend(new NodeId(3), Frames.Tagged(transport.LocalId, new NodeId(3), 0)));
        Assert.False(transport.TrySend(peer, new ForwardProposalFrame(1, new byte[5000])));
        await transport.StopAsync();
        Assert.False(transport.TrySend(peer, Frames.Tagged(transport.LocalId, peer, 0)));
        Assert.Equal(4, transport.GetStats().FramesRefused);
    }

    [Fact]
    public async Task PeerSendingAGarbageFrame_IsDisconnected_WhileOthersAreStillServed()
    {
        var nodes = await TcpNode.ClusterAsync(Frames.Options(1), Frames.Options(2), Frames.Options(3));
        var (a, b, c) = (nodes[0], nodes[1], nodes[2]);
        try
        {
            await using var intruder = await RawPeer.ConnectAsync(b.Host.Port);
            await intruder.SendAsync(new HandshakeFrame(WireLimits.ProtocolVersion, "test-cluster", new NodeId(9)));
            Assert.True(Assert.IsType<HandshakeAckFrame>(await intruder.ReadFrameAsync()).Accepted);
            await intruder.SendAsync(WireBytes.RawFrame(9, (byte)FrameType.RaftMessages, [0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4]));

            Assert.True(await intruder.IsClosedByServerAsync());
            Assert.Equal(1, b.Transport.GetStats().MalformedFrames);

            for (ulong i = 0; i < 20; i++)
            {
                a.Transport.TrySend(b.Id, Frames.Tagged(a.Id, b.Id, i));
                c.Transport.TrySend(b.Id, Frames.Tagged(c.Id, b.Id, i));
            }
            await Eventually.TrueAsync(() => b.Handler.Frames.Count == 40, "b still serves a and c", b.Handler.Signal);
            Assert.DoesNotContain(b.Handler.Frames, f => f.From == new NodeId(9));
        }
        finally
        {
            foreach (var n in nodes) await n.DisposeAsync();
        }
    }

    [Fact]
    public async Task PeerSpoofingAnotherSender_IsDisconnected_AndNothingReachesTheNode()
    {
        var node = await TcpNode.CreateAsync(Frames.Options(1));
        node.Transport.Start(node.Handler);
        try
        {
            await using var raw = await RawPeer.ConnectAsync(node.Host.Port);
            await raw.SendAsync(new HandshakeFrame(WireLimits.ProtocolVersion, "test-cluster", new NodeId(9)));
            Assert.True(Assert.IsType<HandshakeAckFrame>(await raw.ReadFrameAsync()).Accepted);
            await raw.SendAsync(Frames.Tagged(new NodeId(5), node.Id, 1)); // claims to be node 5 on node 9's link

            Assert.True(await raw.IsClosedByServerAsync());
            Assert.Empty(node.Handler.Frames);
            Assert.Equal(1, node.Transport.GetStats().MalformedFrames);
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task NewerInboundConnection_FromTheSamePeer_ReplacesTheOlderOne()
    {
        var node = await TcpNode.CreateAsync(Frames.Options(1));
        node.Transport.Start(node.Handler);
        try
        {
            var handshake = new HandshakeFrame(WireLimits.ProtocolVersion, "test-cluster", new NodeId(9));
            await using var first = await RawPeer.ConnectAsync(node.Host.Port);
            await first.SendAsync(handshake);
            Assert.True(Assert.IsType<HandshakeAckFrame>(await first.ReadFrameAsync()).Accepted);
            await using var second = await RawPeer.ConnectAsync(node.Host.Port);
            await second.SendAsync(handshake);
            Assert.True(Assert.IsType<HandshakeAckFrame>(await second.ReadFrameAsync()).Accepted);

            Assert.True(await first.IsClosedByServerAsync());
            await second.SendAsync(Frames.Tagged(new NodeId(9), node.Id, 7));
            await Eventually.TrueAsync(() => node.Handler.Frames.Count == 1, "the newer connection is served", node.Handler.Signal);
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task RemovingAPeer_ClosesItsConnection_AndStopClosesEverything()
    {
        var nodes = await TcpNode.ClusterAsync(Frames.Options(1), Frames.Options(2), Frames.Options(3));
        var (a, b, c) = (nodes[0], nodes[1], nodes[2]);
        try
        {
            a.Transport.SetPeers(new Dictionary<NodeId, PeerAddress> { [c.Id] = c.Host.Address, [a.Id] = a.Host.Address });
            Assert.Equal([c.Id], a.Transport.GetPeerStats().Select(s => s.Peer));
            Assert.False(a.Transport.TrySend(b.Id, Frames.Tagged(a.Id, b.Id, 1)));
            Assert.True(a.Transport.TrySend(c.Id, Frames.Tagged(a.Id, c.Id, 1)));
            await Eventually.TrueAsync(() => c.Handler.Frames.Count == 1, "c still reachable", c.Handler.Signal);

            await a.Transport.StopAsync();
            // b and c lose their links to a: they notice and report it.
            await Eventually.TrueAsync(() => b.Handler.Unreachable.Contains(a.Id), "b noticed a stopped", b.Handler.Signal);
            await Eventually.TrueAsync(() => c.Handler.Unreachable.Contains(a.Id), "c noticed a stopped", c.Handler.Signal);
        }
        finally
        {
            foreach (var n in nodes) await n.DisposeAsync();
        }
    }
}

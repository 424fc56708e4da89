using Cairn.Consensus;
using Cairn.Transport.Tcp;
using Cairn.Transport.Tests.Support;
using Cairn.Transport.Tests.Wire;
using Cairn.Transport.Wire;

namespace Cairn.Transport.Tests.Tcp;

public sealed class TcpTransportTests
{
    private static async Task DisposeAll(IEnumerable<TcpNode> nodes)
    {
        foreach (var node in nodes) await node.DisposeAsync();
    }

    [Fact]
    public async Task ThreeTransports_ExchangeBatches_InOrder()
    {
        var nodes = await TcpNode.ClusterAsync(Frames.Options(1), Frames.Options(2), Frames.Options(3));
        try
        {
            const int PerLink = 300;
            for (ulong i = 0; i < PerLink; i++)
            {
                foreach (var from in nodes)
                {
                    foreach (var to in nodes.Where(n => n != from))
                        Assert.True(from.Transport.TrySend(to.Id, Frames.Tagged(from.Id, to.Id, i)), $"{from.Id}→{to.Id} #{i}");
                }
            }
            foreach (var node in nodes)
            {
                await Eventually.TrueAsync(() => node.Handler.Frames.Count == 2 * PerLink, $"{node.Id} received every frame", node.Handler.Signal);
                foreach (var from in nodes.Where(n => n != node))
                    Assert.Equal(Enumerable.Range(0, PerLink).Select(i => (ulong)i), node.Handler.HeartbeatTags(from.Id));
            }
            var stats = nodes[0].Transport.GetPeerStats();
            Assert.All(stats, s => Assert.Equal(PerLink, s.FramesSent));
            Assert.All(stats, s => Assert.Equal(0, s.FramesDropped));
            Assert.Equal(2 * PerLink, nodes[0].Transport.GetStats().FramesReceived);
        }
        finally
        {
            await DisposeAll(nodes);
        }
    }

    [Fact]
    public async Task EveryFrameType_AndAllMessageKinds_CrossARealConnection()
    {
        var nodes = await TcpNode.ClusterAsync(Frames.Options(1), Frames.Options(2));
        try
        {
            var (a, b) = (nodes[0], nodes[1]);
            var batch = new RaftMessagesFrame(Samples.EveryMessageKind().Select(m => m with { From = a.Id, To = b.Id }).ToArray());
            Frame[] sent =
            [
                batch,
                .. Samples.EveryFrameType().Where(f => f is not (HandshakeFrame or HandshakeAckFrame or RaftMessagesFrame)),
            ];
            foreach (var frame in sent) Assert.True(a.Transport.TrySend(b.Id, frame));

            await Eventually.TrueAsync(() => b.Handler.Frames.Count == sent.Length, "every frame arrived", b.Handler.Signal);
            Assert.All(sent.Zip(b.Handler.Frames), p => Assert.True(WireEquality.Same(p.First, p.Second.Frame), p.First.Type.ToString()));
        }
        finally
        {
            await DisposeAll(nodes);
        }
    }

    [Fact]
    public async Task FramesLargerThanKestrelsReadBuffer_ArriveIntact()
    {
        var nodes = await TcpNode.ClusterAsync(Frames.Options(1), Frames.Options(2));
        try
        {
            var (a, b) = (nodes[0], nodes[1]);
            var chunk = new byte[3 << 20];
            new Random(5).NextBytes(chunk);
            var snapshot = new InstallSnapshot(a.Id, b.Id, new Term(2), new LogIndex(500), new Term(2), Membership.OfVoters(1, 2),
                chunk.Length, 0, chunk);
            Assert.True(a.Transport.TrySend(b.Id, new RaftMessagesFrame([snapshot])));
            Assert.True(a.Transport.TrySend(b.Id, Frames.Tagged(a.Id, b.Id, 1)));

            await Eventually.TrueAsync(() => b.Handler.Frames.Count == 2, "the big and the small frame arrived", b.Handler.Signal);
            var received = (InstallSnapshot)((RaftMessagesFrame)b.Handler.Frames[0].Frame).Messages[0];
            Assert.True(received.Data.Span.SequenceEqual(chunk));
            Assert.Equal([1UL], b.Handler.HeartbeatTags(a.Id));
        }
        finally
        {
            await DisposeAll(nodes);
        }
    }

    [Fact]
    public async Task Handshake_IsRefused_WhenTheClusterIdDiffers()
    {
        var a = await TcpNode.CreateAsync(Frames.Options(1, cluster: "blue"));
        var b = await TcpNode.CreateAsync(Frames.Options(2, cluster: "green"));
        try
        {
            a.Transport.SetPeers(new Dictionary<NodeId, PeerAddress> { [b.Id] = b.Host.Address });
            b.Transport.SetPeers(new Dictionary<NodeId, PeerAddress>());
            a.Transport.Start(a.Handler);
            b.Transport.Start(b.Handler);

            await Eventually.TrueAsync(() => a.Handler.Unreachable.Contains(b.Id) && a.Transport.GetPeerStats()[0].ConnectFailures >= 2,
                "the dialer saw refusals and reported the peer unreachable", a.Handler.Signal);
            a.Transport.TrySend(b.Id, Frames.Tagged(a.Id, b.Id, 1));

            Assert.False(a.Transport.GetPeerStats()[0].Connected);
            Assert.True(b.Transport.GetStats().HandshakesRefused >= 2);
            Assert.Empty(b.Handler.Frames);
            Assert.Single(a.Handler.Unreachable); // once per outage, not once per attempt
        }
        finally
        {
            await DisposeAll([a, b]);
        }
    }

    [Theory]
    [InlineData(WireLimits.ProtocolVersion + 1, "test-cluster", "protocol version")]
    [InlineData(WireLimits.ProtocolVersion, "other-cluster", "cluster id")]
    [InlineData(WireLimits.ProtocolVersion, "test-cluster", null)]
    public async Task Acceptor_AnswersTheHandshake_AndClosesWhenRefusing(int version, string cluster, string? refusal)
    {
        var node = await TcpNode.CreateAsync(Frames.Options(1));
        node.Transport.Start(node.Handler);
        try
        {
            await using var raw = await RawPeer.ConnectAsync(node.Host.Port);
            await raw.SendAsync(new HandshakeFrame((ushort)version, cluster, new NodeId(9)));
            var ack = Assert.IsType<HandshakeAckFrame>(await raw.ReadFrameAsync());

            Assert.Equal(node.Id, ack.NodeId);
            if (refusal is null)
            {
                Assert.True(ack.Accepted);
                await raw.SendAsync(Frames.Tagged(new NodeId(9), node.Id, 4));
                await Eventually.TrueAsync(() => node.Handler.Frames.Count == 1, "the accepted peer's frame arrived", node.Handler.Signal);
            }
            else
            {
                Assert.False(ack.Accepted);
                Assert.Contains(refusal, ack.Reason);
                Assert.True(await raw.IsClosedByServerAsync());
            }
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task Acceptor_RefusesAStrangerThatDoesNotSpeakTheProtocol()
    {
        var node = await TcpNode.CreateAsync(Frames.Options(1));
        node.Transport.Start(node.Handler);
        try
        {
            await using var raw = await RawPeer.ConnectAsync(node.Host.Port);
            await raw.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());

            var ack = Assert.IsType<HandshakeAckFrame>(await raw.ReadFrameAsync());
            Assert.False(ack.Accepted);
            Assert.Contains("malformed handshake", ack.Reason);
            Assert.True(await raw.IsClosedByServerAsync());
            Assert.Equal(1, node.Transport.GetStats().HandshakesRefused);
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task Acceptor_ClosesAConnectionThatNeverSendsAHandshake()
    {
        var transport = new TcpTransport(Frames.Options(1) with { HandshakeTimeoutMs = 200 });
        await using var host = await PeerHost.StartAsync(transport);
        var handler = new RecordingHandler();
        transport.Start(handler);
        try
        {
            await using var raw = await RawPeer.ConnectAsync(host.Port);
            var ack = Assert.IsType<HandshakeAckFrame>(await raw.ReadFrameAsync());
            Assert.Contains("no handshake", ack.Reason);
            Assert.True(await raw.IsClosedByServerAsync());
        }
        finally
        {
            await transport.StopAsync();
        }
    }
}

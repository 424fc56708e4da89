using Cairn.Consensus;
using Cairn.Transport.InMemory;
using Cairn.Transport.Tests.Support;
using Cairn.Transport.Wire;

namespace Cairn.Transport.Tests.InMemory;

public sealed class InMemoryNetworkTests
{
    private static readonly NodeId A = new(1), B = new(2), C = new(3);

    private sealed class Cluster : IAsyncDisposable
    {
        public InMemoryNetwork Network { get; }
        public Dictionary<NodeId, InMemoryTransport> Transports { get; } = [];
        public Dictionary<NodeId, RecordingHandler> Handlers { get; } = [];

        public Cluster(int seed = 1, Func<TransportOptions, TransportOptions>? tune = null, params NodeId[] ids)
        {
            Network = new InMemoryNetwork(seed);
            var peers = ids.ToDictionary(id => id, id => new PeerAddress("memory", (int)id.Value));
            foreach (var id in ids)
            {
                var options = Frames.Options(id.Value);
                var transport = Network.CreateTransport(tune is null ? options : tune(options));
                transport.SetPeers(peers);
                var handler = new RecordingHandler();
                transport.Start(handler);
                Transports[id] = transport;
                Handlers[id] = handler;
            }
        }

        public InMemoryTransport this[NodeId id] => Transports[id];

        public ValueTask DisposeAsync() => Network.DisposeAsync();
    }

    [Fact]
    public void Pump_DeliversEveryLinkInFifoOrder()
    {
        var cluster = new Cluster(ids: [A, B, C]);
        for (ulong i = 0; i < 50; i++)
        {
            Assert.True(cluster[A].TrySend(B, Frames.Tagged(A, B, i)));
            Assert.True(cluster[C].TrySend(B, Frames.Tagged(C, B, 100 + i)));
        }

        Assert.Equal(100, cluster.Network.DeliverPending());

        Assert.Equal(Enumerable.Range(0, 50).Select(i => (ulong)i), cluster.Handlers[B].HeartbeatTags(A));
        Assert.Equal(Enumerable.Range(100, 50).Select(i => (ulong)i), cluster.Handlers[B].HeartbeatTags(C));
        Assert.Equal(0, cluster.Network.DeliverPending());
        Assert.Equal(50, cluster[A].GetPeerStats().Single(s => s.Peer == B).FramesSent);
    }

    [Fact]
    public void Pump_DeliversAnswersSentByHandlers_WithinTheSameCall()
    {
        var cluster = new Cluster(ids: [A, B]);
        cluster.Handlers[B].OnEachFrame = (from, frame) => cluster[B].TrySend(from, new ForwardResultFrame(7, 0, "ok"u8.ToArray()));

        cluster[A].TrySend(B, new ForwardProposalFrame(7, "put"u8.ToArray()));
        Assert.Equal(2, cluster.Network.DeliverPending());

        var answer = Assert.IsType<ForwardResultFrame>(Assert.Single(cluster.Handlers[A].Frames).Frame);
        Assert.Equal("ok"u8.ToArray(), answer.Payload.ToArray());
    }

    [Fact]
    public void DirectedPartition_LosesOneDirectionOnly_AndTellsTheSenderOncePerOutage()
    {
        var cluster = new Cluster(ids: [A, B]);
        cluster.Network.Partition(A, B);
        for (ulong i = 0; i < 3; i++)
        {
            cluster[A].TrySend(B, Frames.Tagged(A, B, i));
            cluster[B].TrySend(A, Frames.Tagged(B, A, i));
        }
        cluster.Network.DeliverPending();

        Assert.Empty(cluster.Handlers[B].Frames);
        Assert.Equal(3, cluster.Handlers[A].Frames.Count);
        Assert.Equal([B], cluster.Handlers[A].Unreachable);
        Assert.Empty(cluster.Handlers[B].Unreachable);
        Assert.False(cluster[A].GetPeerStats().Single().Connected);
        Assert.Equal(3, cluster.Network.FramesLost);

        cluster.Network.Heal(A, B);
        cluster[A].TrySend(B, Frames.Tagged(A, B, 9));
        cluster.Network.DeliverPending();
        Assert.Equal([9UL], cluster.Handlers[B].HeartbeatTags(A));

        // A new outage after a delivery is reported again.
        cluster.Network.Partition(A, B);
        cluster[A].TrySend(B, Frames.Tagged(A, B, 10));
        cluster.Network.DeliverPending();
        Assert.Equal([B, B], cluster.Handlers[A].Unreachable);
    }

    [Fact]
    public void Isolate_CutsEveryLinkOfANode_AndHealAllRestoresThem()
    {
        var cluster = new Cluster(ids: [A, B, C]);
        cluster.Network.Isolate(C);
        foreach (var (from, to) in new[] { (A, C), (C, A), (B, C), (C, B), (A, B) }) cluster[from].TrySend(to, Frames.Tagged(from, to, 1));
        cluster.Network.DeliverPending();

        Assert.Empty(cluster.Handlers[C].Frames);
        Assert.Single(cluster.Handlers[B].Frames);
        Assert.Empty(cluster.Handlers[A].Frames);

        cluster.Network.HealAll();
        cluster[A].TrySend(C, Frames.Tagged(A, C, 2));
        cluster.Network.DeliverPending();
        Assert.Equal([2UL], cluster.Handlers[C].HeartbeatTags(A));
    }

    [Fact]
    public void DropRate_LosesAboutThatShare_AndTheSameSeedLosesTheSameFrames()
    {
        List<ulong> Run(int seed)
        {
            var cluster = new Cluster(seed, ids: [A, B]);
            cluster.Network.SetDropRate(A, B, 0.3);
            for (ulong i = 0; i < 400; i++)
            {
                cluster[A].TrySend(B, Frames.Tagged(A, B, i));
                if (i % 50 == 49) cluster.Network.DeliverPending();
            }
            cluster.Network.DeliverPending();
            return cluster.Handlers[B].HeartbeatTags(A);
        }

        var first = Run(seed: 7);
        Assert.InRange(first.Count, 220, 340);
        Assert.Equal(first, Run(seed: 7));
        Assert.NotEqual(first, Run(seed: 8));
        Assert.Equal(first.Order(), first); // what survives keeps its order
    }

    [Fact]
    public void FullSendQueue_RefusesFrames_AndCountsThem()
    {
        var cluster = new Cluster(tune: o => o with { SendQueueFramesMax = 3 }, ids: [A, B]);
        Assert.True(cluster[A].TrySend(B, Frames.Tagged(A, B, 1)));
        Assert.True(cluster[A].TrySend(B, Frames.Tagged(A, B, 2)));
        Assert.True(cluster[A].TrySend(B, Frames.Tagged(A, B, 3)));
        Assert.False(cluster[A].TrySend(B, Frames.Tagged(A, B, 4)));

        var stats = cluster[A].GetPeerStats().Single();
        Assert.Equal(3, stats.QueuedFrames);
        Assert.Equal(1, stats.FramesDropped);

        cluster.Network.DeliverPending();
        Assert.True(cluster[A].TrySend(B, Frames.Tagged(A, B, 5)));
    }

    [Fact]
    public async Task TrySend_RefusesUnknownPeers_OversizedFrames_AndAfterStop()
    {
        var cluster = new Cluster(tune: o => o with { FrameBytesMax = 4096 }, ids: [A, B]);
        Assert.False(cluster[A].TrySend(C, Frames.Tagged(A, C, 1)));
        Assert.False(cluster[A].TrySend(B, new ForwardProposalFrame(1, new byte[5000])));
        Assert.True(cluster[A].TrySend(B, new ForwardProposalFrame(1, new byte[4000])));

        await cluster[A].StopAsync();
        Assert.False(cluster[A].TrySend(B, Frames.Tagged(A, B, 1)));
        Assert.Equal(3, cluster[A].GetStats().FramesRefused);
    }

    [Fact]
    public async Task StoppedReceiver_LosesFrames_AndTheSenderIsTold()
    {
        var cluster = new Cluster(ids: [A, B]);
        await cluster[B].StopAsync();
        cluster[A].TrySend(B, Frames.Tagged(A, B, 1));
        cluster.Network.DeliverPending();

        Assert.Empty(cluster.Handlers[B].Frames);
        Assert.Equal([B], cluster.Handlers[A].Unreachable);

        // The node restarts with a new transport under the same id.
        var restarted = cluster.Network.CreateTransport(Frames.Options(B.Value));
        restarted.SetPeers(new Dictionary<NodeId, PeerAddress> { [A] = new("memory", 1) });
        var handler = new RecordingHandler();
        restarted.Start(handler);
        cluster[A].TrySend(B, Frames.Tagged(A, B, 2));
        cluster.Network.DeliverPending();
        Assert.Equal([2UL], handler.HeartbeatTags(A));
    }

    [Fact]
    public void DeliveredFrames_CrossTheCodec_AndSpoofedSendersAreRejected()
    {
        var cluster = new Cluster(ids: [A, B, C]);
        var payload = new byte[] { 1, 2, 3 };
        var sent = new ForwardProposalFrame(5, payload);
        cluster[A].TrySend(B, sent);
        cluster[A].TrySend(B, Frames.Tagged(C, B, 1)); // claims to come from C on A's link
        cluster.Network.DeliverPending();

        var received = Assert.IsType<ForwardProposalFrame>(Assert.Single(cluster.Handlers[B].Frames).Frame);
        Assert.NotSame(sent, received);
        payload[0] = 99; // the sender's buffer is not shared with the receiver
        Assert.Equal(1, received.Payload.Span[0]);
        Assert.Equal(1, cluster[B].GetStats().MalformedFrames);
    }

    [Fact]
    public async Task BackgroundDelivery_DeliversWithoutAPump()
    {
        await using var cluster = new Cluster(ids: [A, B]);
        cluster.Network.StartBackgroundDelivery();
        for (ulong i = 0; i < 100; i++) cluster[A].TrySend(B, Frames.Tagged(A, B, i));

        var handler = cluster.Handlers[B];
        await Eventually.TrueAsync(() => handler.Frames.Count == 100, "100 frames delivered", handler.Signal);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (ulong)i), handler.HeartbeatTags(A));
        await cluster.Network.StopBackgroundDeliveryAsync();
    }

    [Fact]
    public void SendMessages_GroupsByPeer_AndSplitsFramesUnderTheLimit()
    {
        var cluster = new Cluster(tune: o => o with { FrameBytesMax = 4096 }, ids: [A, B, C]);
        Message Append(NodeId to, ulong index, int bytes) =>
            new AppendEntries(A, to, new Term(1), new LogIndex(index - 1), new Term(1), LogIndex.Zero,
                [new Entry(new Term(1), new LogIndex(index), EntryKind.Normal, new byte[bytes])]);
        var messages = new List<Message>();
        for (ulong i = 1; i <= 10; i++)
        {
            messages.Add(Append(B, i, 1000));
            messages.Add(new Heartbeat(A, C, new Term(1), LogIndex.Zero, i));
        }
        messages.Add(Append(C, 1, 5000)); // larger than any frame: refused
        var refused = new List<NodeId>();

        Assert.Equal(1, cluster[A].SendMessages(messages, refused));
        Assert.Equal([C], refused);
        cluster.Network.DeliverPending();

        var toB = cluster.Handlers[B].Frames;
        Assert.True(toB.Count >= 3, $"10 KB of entries in 4 KB frames needs ≥ 3 frames, got {toB.Count}");
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (ulong)i),
            toB.SelectMany(f => ((RaftMessagesFrame)f.Frame).Messages).Cast<AppendEntries>().Select(a => a.Entries[0].Index.Value));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (ulong)i), cluster.Handlers[C].HeartbeatTags(A));
        Assert.Single(cluster.Handlers[C].Frames); // ten heartbeats fit in one frame
    }
}

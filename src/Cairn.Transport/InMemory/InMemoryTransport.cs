using Cairn.Transport.Wire;

namespace Cairn.Transport.InMemory;

/// <summary>
/// The in-memory twin of the TCP transport: same contract, same bounded per-peer queues, same inbound validation;
/// frames move when its <see cref="InMemoryNetwork"/> delivers them (a pump for deterministic tests, or a background loop).
/// Created by <see cref="InMemoryNetwork.CreateTransport"/>.
/// </summary>
public sealed class InMemoryTransport : ITransport
{
    private enum State { Created, Running, Stopped }

    /// <summary>One outbound queue per peer; guarded by <see cref="_gate"/>.</summary>
    internal sealed class Link(NodeId peer, PeerAddress address)
    {
        public NodeId Peer { get; } = peer;
        public PeerAddress Address { get; set; } = address;
        public Queue<(Frame Frame, int Bytes)> Queue { get; } = new();
        public long QueuedBytes;
        public long FramesSent;
        public long BytesSent;
        public long FramesDropped;

        /// <summary>Set when an outage was reported to the handler; cleared by the next delivery.</summary>
        public bool OutageReported;
    }

    private readonly Lock _gate = new();
    private readonly InMemoryNetwork _network;
    private readonly TransportOptions _options;
    private readonly SortedDictionary<NodeId, Link> _links = [];
    private IPeerFrameHandler? _handler;
    private State _state;
    private long _framesReceived;
    private long _malformed;
    private long _refused;

    internal InMemoryTransport(InMemoryNetwork network, TransportOptions options)
    {
        _network = network;
        _options = options;
    }

    public NodeId LocalId => _options.LocalId;

    public int FrameBytesMax => _options.FrameBytesMax;

    internal bool IsRunning
    {
        get
        {
            lock (_gate) return _state == State.Running;
        }
    }

    public void Start(IPeerFrameHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            Invariant.Check(_state == State.Created, "a transport is started once");
            _handler = handler;
            _state = State.Running;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _state = State.Stopped;
            foreach (var link in _links.Values) Discard(link);
        }
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    public void SetPeers(IReadOnlyDictionary<NodeId, PeerAddress> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        lock (_gate)
        {
            foreach (var gone in _links.Keys.Where(p => !peers.ContainsKey(p)).ToList())
            {
                Discard(_links[gone]);
                _links.Remove(gone);
            }
            foreach (var (peer, address) in peers)
            {
                if (peer == LocalId || peer.IsNone) continue;
                if (_links.TryGetValue(peer, out var link)) link.Address = address;
                else _links.Add(peer, new Link(peer, address));
            }
        }
    }

    public bool TrySend(NodeId to, Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var bytes = FrameCodec.GetFrameBytes(frame);
        lock (_gate)
        {
            if (bytes < 0 || bytes - 4 > _options.FrameBytesMax || _state != State.Running || !_links.TryGetValue(to, out var link))
            {
                _refused++;
                return false;
            }
            if (link.Queue.Count >= _options.SendQueueFramesMax || link.QueuedBytes + bytes > _options.SendQueueBytesMax)
            {
                link.FramesDropped++;
                return false;
            }
            link.Queue.Enqueue((frame, (int)bytes));
            link.QueuedBytes += bytes;
        }
        _network.Signal();
        return true;
    }

    public IReadOnlyList<PeerStats> GetPeerStats()
    {
        List<PeerStats> stats;
        lock (_gate)
        {
            stats = _links.Values.Select(l => new PeerStats(l.Peer, l.Address, Connected: false, l.Queue.Count,
                l.QueuedBytes, l.FramesSent, l.BytesSent, l.FramesDropped, Reconnects: 0, ConnectFailures: 0)).ToList();
        }
        // Reachability takes the network's and the receiver's locks: never while holding ours (lock order).
        return stats.Select(s => s with { Connected = _network.IsReachable(LocalId, s.Peer) }).ToList();
    }

    public TransportStats GetStats()
    {
        lock (_gate) return new TransportStats(_framesReceived, InboundConnections: 0, HandshakesRefused: 0, _malformed, _refused);
    }

    /// <summary>Peers with queued frames, in id order (a snapshot: the network drains them one by one).</summary>
    internal List<NodeId> PeersWithQueuedFrames()
    {
        lock (_gate) return _links.Values.Where(l => l.Queue.Count > 0).Select(l => l.Peer).ToList();
    }

    internal bool TryDequeue(NodeId peer, out Frame frame, out int bytes)
    {
        lock (_gate)
        {
            frame = null!;
            bytes = 0;
            if (!_links.TryGetValue(peer, out var link) || !link.Queue.TryDequeue(out var item)) return false;
            link.QueuedBytes -= item.Bytes;
            (frame, bytes) = item;
            return true;
        }
    }

    /// <summary>Called by the network after delivering or losing a frame this transport sent.</summary>
    internal void OnSent(NodeId peer, int bytes, bool delivered)
    {
        IPeerFrameHandler? report = null;
        lock (_gate)
        {
            if (!_links.TryGetValue(peer, out var link)) return;
            if (delivered)
            {
                link.FramesSent++;
                link.BytesSent += bytes;
                link.OutageReported = false;
            }
            else
            {
                link.FramesDropped++;
                if (!link.OutageReported && _state == State.Running)
                {
                    link.OutageReported = true;
                    report = _handler;
                }
            }
        }
        report?.OnPeerUnreachable(peer);
    }

    /// <summary>Hands a validated frame to the node; false when this transport is not running (the frame is lost).</summary>
    internal bool Receive(NodeId from, Frame frame)
    {
        IPeerFrameHandler? handler;
        lock (_gate)
        {
            if (_state != State.Running) return false;
            var violation = InboundValidation.Check(from, LocalId, frame);
            if (violation is not null)
            {
                _malformed++;
                return false;
            }
            _framesReceived++;
            handler = _handler;
        }
        // Outside the lock: the handler may send (TrySend takes the lock of whichever transport it calls).
        handler!.OnFrame(from, frame);
        return true;
    }

    internal void CountMalformed()
    {
        lock (_gate) _malformed++;
    }

    private static void Discard(Link link)
    {
        link.FramesDropped += link.Queue.Count;
        link.Queue.Clear();
        link.QueuedBytes = 0;
    }
}

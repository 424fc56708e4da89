using Cairn.Transport.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Transport.Tcp;

/// <summary>
/// The peer transport over TCP. Outbound: one <see cref="PeerSender"/> per peer (ordered connection, bounded queue,
/// batching, reconnect with backoff). Inbound: Kestrel accepts connections on the peer endpoint and hands each to
/// <see cref="AcceptAsync"/> through <see cref="PeerConnectionHandler"/> (see <see cref="PeerTransportHosting"/>).
/// Each direction of a node pair uses its own connection; answers travel on the answerer's outbound connection.
/// </summary>
public sealed partial class TcpTransport : ITransport
{
    private enum State { Created, Running, Stopped }

    private readonly Lock _gate = new();
    private readonly TransportOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Random _jitterSeeds;
    private Dictionary<NodeId, PeerAddress> _peers = [];

    /// <summary>Copy-on-write under <see cref="_gate"/>, read without it by <see cref="TrySend"/>.</summary>
    private volatile Dictionary<NodeId, PeerSender> _senders = [];

    private readonly List<Task> _retiring = [];
    private IPeerFrameHandler? _handler;
    private State _state;
    private long _refused;

    public TcpTransport(TransportOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)loggerFactory?.CreateLogger<TcpTransport>() ?? NullLogger.Instance;
        _jitterSeeds = options.JitterSeed is { } seed ? new Random(seed) : new Random();
    }

    public NodeId LocalId => _options.LocalId;

    public int FrameBytesMax => _options.FrameBytesMax;

    public TransportOptions Options => _options;

    public void Start(IPeerFrameHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            Invariant.Check(_state == State.Created, "a transport is started once");
            _handler = handler;
            _state = State.Running;
            ApplyPeers();
        }
    }

    public void SetPeers(IReadOnlyDictionary<NodeId, PeerAddress> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        lock (_gate)
        {
            _peers = peers.Where(p => p.Key != LocalId && !p.Key.IsNone).ToDictionary(p => p.Key, p => p.Value);
            if (_state == State.Running) ApplyPeers();
        }
    }

    public bool TrySend(NodeId to, Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (_senders.TryGetValue(to, out var sender))
        {
            var bytes = FrameCodec.GetFrameBytes(frame);
            if (bytes > 0 && bytes - 4 <= _options.FrameBytesMax) return sender.TryEnqueue(frame, (int)bytes);
        }
        Interlocked.Increment(ref _refused);
        return false;
    }

    public IReadOnlyList<PeerStats> GetPeerStats() => _senders.Values.Select(s => s.GetStats()).OrderBy(s => s.Peer).ToList();

    public TransportStats GetStats() => new(Interlocked.Read(ref _framesReceived), Interlocked.Read(ref _inboundConnections),
        Interlocked.Read(ref _handshakesRefused), Interlocked.Read(ref _malformed), Interlocked.Read(ref _refused));

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        List<Task> closing;
        List<CancellationTokenSource> inbound = [];
        lock (_gate)
        {
            if (_state != State.Stopped)
            {
                _state = State.Stopped;
                foreach (var sender in _senders.Values) _retiring.Add(sender.DisposeAsync().AsTask());
                _senders = [];
                inbound.AddRange(_inbound.Values);
            }
            closing = [.. _retiring, .. _inboundTasks];
        }
        // Outside the gate: cancellation callbacks may run inline and take it.
        foreach (var connection in inbound) await CancelQuietlyAsync(connection);
        await Task.WhenAll(closing).WaitAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>Brings the senders in line with <see cref="_peers"/>; called under the gate while running.</summary>
    private void ApplyPeers()
    {
        var next = new Dictionary<NodeId, PeerSender>();
        foreach (var (peer, address) in _peers)
        {
            if (_senders.TryGetValue(peer, out var existing) && existing.Address == address)
            {
                next.Add(peer, existing);
                continue;
            }
            var sender = new PeerSender(peer, address, _options, _time, _logger, ReportUnreachable, new Random(_jitterSeeds.Next()));
            next.Add(peer, sender);
            sender.Start();
        }
        foreach (var (peer, old) in _senders)
        {
            if (!next.TryGetValue(peer, out var kept) || kept != old) _retiring.Add(old.DisposeAsync().AsTask());
        }
        _retiring.RemoveAll(t => t.IsCompleted);
        _senders = next;
    }

    private void ReportUnreachable(NodeId peer)
    {
        IPeerFrameHandler? handler;
        lock (_gate) handler = _state == State.Running ? _handler : null;
        handler?.OnPeerUnreachable(peer);
    }
}

using System.Buffers;
using System.Threading.Channels;
using Cairn.Transport.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Transport.InMemory;

/// <summary>
/// The hub that connects <see cref="InMemoryTransport"/>s in one process. Faults are per directed link: a partitioned
/// link loses every frame (and tells the sender once, like a broken TCP connection); a drop rate loses frames at random
/// (seeded). Delivery is either pumped by the caller (<see cref="DeliverPending"/>, deterministic: links in id order,
/// FIFO per link) or run by a background loop (<see cref="StartBackgroundDelivery"/>).
/// </summary>
/// <remarks>
/// Handlers run on the delivering thread, one frame at a time across the whole network. A handler must not call
/// <see cref="DeliverPending"/>. In pump mode a handler's exception propagates to the caller; the background loop logs it.
/// </remarks>
public sealed partial class InMemoryNetwork : IAsyncDisposable
{
    /// <summary>Frames the background loop delivers before it looks at its stop signal again.</summary>
    public const int BackgroundBatchFramesMax = 1024;

    // Lock order: _delivery, then this network's _gate, then a transport's gate; a transport never takes the network's
    // gate while holding its own.
    private readonly Lock _gate = new();
    private readonly Lock _delivery = new();
    private readonly SortedDictionary<NodeId, InMemoryTransport> _transports = [];
    private readonly HashSet<(NodeId From, NodeId To)> _cut = [];
    private readonly Dictionary<(NodeId From, NodeId To), double> _dropRates = [];
    private readonly Random _random;
    private readonly bool _roundTrip;
    private readonly ILogger _logger;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private CancellationTokenSource? _loopStop;
    private Task? _loop;
    private long _delivered;
    private long _lost;

    /// <param name="seed">Seed of the random drops.</param>
    /// <param name="roundTripThroughCodec">Encode and decode every frame, as the wire would: catches codec gaps and
    /// shared mutable payloads in single-process clusters. Off only to measure something else.</param>
    public InMemoryNetwork(int seed = 1, bool roundTripThroughCodec = true, ILogger? logger = null)
    {
        _random = new Random(seed);
        _roundTrip = roundTripThroughCodec;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Frames handed to a receiver so far.</summary>
    public long FramesDelivered => Interlocked.Read(ref _delivered);

    /// <summary>Frames lost to partitions, drops, stopped receivers or validation.</summary>
    public long FramesLost => Interlocked.Read(ref _lost);

    /// <summary>
    /// A transport for <paramref name="options"/>.LocalId. A stopped transport with the same id is replaced (a node
    /// restarting); a running one is a programmer error.
    /// </summary>
    public InMemoryTransport CreateTransport(TransportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var transport = new InMemoryTransport(this, options);
        lock (_gate)
        {
            if (_transports.TryGetValue(options.LocalId, out var old))
                Invariant.Check(!old.IsRunning, "two running in-memory transports with the same node id");
            _transports[options.LocalId] = transport;
        }
        return transport;
    }

    /// <summary>Frames from <paramref name="from"/> to <paramref name="to"/> are lost until healed (one direction only).</summary>
    public void Partition(NodeId from, NodeId to)
    {
        lock (_gate) _cut.Add((from, to));
    }

    /// <summary>Cuts both directions between two nodes.</summary>
    public void PartitionBoth(NodeId a, NodeId b)
    {
        lock (_gate)
        {
            _cut.Add((a, b));
            _cut.Add((b, a));
        }
    }

    /// <summary>Cuts every link to and from <paramref name="node"/> among the transports created so far.</summary>
    public void Isolate(NodeId node)
    {
        lock (_gate)
        {
            foreach (var other in _transports.Keys.Where(k => k != node))
            {
                _cut.Add((node, other));
                _cut.Add((other, node));
            }
        }
    }

    public void Heal(NodeId from, NodeId to)
    {
        lock (_gate) _cut.Remove((from, to));
    }

    /// <summary>Removes every partition and drop rate.</summary>
    public void HealAll()
    {
        lock (_gate)
        {
            _cut.Clear();
            _dropRates.Clear();
        }
    }

    /// <summary>Loses each frame on the directed link with <paramref name="probability"/> (0 removes the fault).</summary>
    public void SetDropRate(NodeId from, NodeId to, double probability)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(probability, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(probability, 1);
        lock (_gate)
        {
            if (probability == 0) _dropRates.Remove((from, to));
            else _dropRates[(from, to)] = probability;
        }
    }

    /// <summary>True when the link is not cut and the receiver exists and runs.</summary>
    public bool IsReachable(NodeId from, NodeId to)
    {
        InMemoryTransport? receiver;
        lock (_gate)
        {
            if (_cut.Contains((from, to)) || !_transports.TryGetValue(to, out receiver)) return false;
        }
        return receiver.IsRunning;
    }

    internal void Signal() => _wake.Writer.TryWrite(true);

    public async ValueTask DisposeAsync()
    {
        await StopBackgroundDeliveryAsync();
        List<InMemoryTransport> all;
        lock (_gate) all = [.. _transports.Values];
        foreach (var t in all) await t.StopAsync();
    }
}

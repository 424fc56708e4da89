using Cairn.Consensus;
using Cairn.Consensus.Storage;
using Cairn.Node.Raft;
using Cairn.Store;
using Cairn.Transport;
using Cairn.Transport.Wire;
using Microsoft.Extensions.Logging;

namespace Cairn.Node.Cluster;

/// <summary>
/// One cluster member: the Raft driver, the peer transport and the store, wired together. It is the node's
/// <see cref="IKvService"/> (writes on a follower are forwarded to the leader over the peer link; reads at every
/// level are served locally, linearizable ones after a quorum-confirmed read index), the transport's frame
/// handler, the driver's message sink, and the <see cref="IClusterAdmin"/> behind the <c>_cluster</c> routes.
/// </summary>
/// <remarks>
/// Threading: frames arrive on transport threads and are handed to the driver's queue or completed without
/// blocking; maintenance (peer list, self-registration, learner promotion, expiry, joining) runs on one timer
/// callback at a time; everything else is safe from any request thread.
/// </remarks>
public sealed partial class ClusterNode : IKvService, IPeerFrameHandler, IRaftMessageSink, IAsyncDisposable
{
    private readonly ClusterOptions _options;
    private readonly NodeOptions _nodeOptions;
    private readonly ITransport _transport;
    private readonly RaftDriver _driver;
    private readonly RaftKvService _local;
    private readonly IReadOnlyList<(string Name, string Address)> _staticPeers;
    private readonly HashSet<NodeId> _staticIds;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private volatile MemberDirectory _directory;
    private ITimer? _maintenance;
    private int _disposed;
    private readonly IDisposable? _ownedStorage;

    /// <summary>The file storage this node owns and closes (null when it keeps its log in memory).</summary>
    public IDisposable? OwnedStorage => _ownedStorage;

    /// <param name="ownedStorage">Closed after the driver stopped (the file stores), or null for in-memory stores.</param>
    public ClusterNode(ClusterOptions options, NodeOptions nodeOptions, ITransport transport, KvStore store,
        ILogStore log, IStableStore stable, ISnapshotStore snapshots, TimeProvider time, ILoggerFactory loggers, IDisposable? ownedStorage = null)
    {
        _ownedStorage = ownedStorage;
        _options = options;
        _nodeOptions = nodeOptions;
        _transport = transport;
        _time = time;
        _logger = loggers.CreateLogger<ClusterNode>();
        Name = nodeOptions.NodeId;
        Id = NodeNames.ToId(Name);
        Invariant.Check(transport.LocalId == Id, "the transport and the node agree on the node id");
        _staticPeers = options.ParsePeers();
        _staticIds = [.. _staticPeers.Select(p => NodeNames.ToId(p.Name))];
        if (_staticPeers.Count > 0 && !_staticPeers.Any(p => p.Name == Name))
            throw new ArgumentException($"--peers does not list this node ('{Name}')");
        var bootstrap = !string.IsNullOrWhiteSpace(options.Join) ? null
            : _staticPeers.Count > 0 ? new Membership(_staticIds, [])
            : new Membership([Id], []);
        var config = new RaftConfig
        {
            Id = Id,
            Random = new Random(),
            ElectionTicks = options.ElectionTicks,
            HeartbeatTicks = options.HeartbeatTicks,
            Bootstrap = bootstrap,
            ReadMode = options.LeaseReads ? ReadMode.LeaseBased : ReadMode.Safe,
            SnapshotLogTailEntries = options.SnapshotLogTailEntries,
        };
        var driverOptions = new RaftDriverOptions
        {
            TickMs = options.TickMs,
            ElectionTicks = options.ElectionTicks,
            HeartbeatTicks = options.HeartbeatTicks,
            SnapshotEntries = options.SnapshotEntries,
            SnapshotBytes = options.SnapshotBytes,
            CheckpointEveryEntries = options.CheckpointEveryEntries,
            OnCheckpoint = OnCheckpoint,
            TestingAckBeforeCommit = options.Testing.AckBeforeCommit,
            TestingCrashPoints = options.Testing.ParseCrashPoints(),
        };
        _driver = new RaftDriver(config, log, stable, snapshots, store, this, driverOptions, time, loggers.CreateLogger<RaftDriver>());
        _local = new RaftKvService(_driver, Name, TimeSpan.FromMilliseconds(nodeOptions.ReadTimeoutMs), time, options.Testing.LocalLinearizableReads);
        _directory = MemberDirectory.Read(_staticPeers, store.Current);
    }

    public string Name { get; }

    public NodeId Id { get; }

    public RaftDriver Driver => _driver;

    public MemberDirectory Directory => _directory;

    public NodeStatus Status
    {
        get
        {
            var s = _driver.Status;
            var directory = _directory;
            var loss = _dataLoss;
            var reason = NotReadyReason(s, loss);
            return new NodeStatus(Name, RoleOf(s, Id), s.Term.Value, s.Leader.IsNone ? null : directory.NameOf(s.Leader),
                (long)s.Commit.Value, s.Applied, reason is null, _driver.LeaderChanges, DivergenceCount, reason, loss is not null);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _transport.SetPeers(PeerMap(_directory));
        _transport.Start(this);
        // Whether in memory or on a wiped data directory, a node with an empty log may be one that lost its state. One
        // that joins through --join joins a cluster that exists: with an empty log it always recovers (for a new
        // learner that costs one barrier round trip; a member that restarted empty is demoted until it caught up).
        var recover = !string.IsNullOrWhiteSpace(_options.Join)
            ? _driver.Status.LastIndex.Value == 0
            : await ProbeForExistingDataAsync(cancellationToken);
        if (recover) _driver.BeginRecovery();
        _driver.Start();
        var period = TimeSpan.FromMilliseconds(_options.MaintenanceIntervalMs);
        _maintenance = _time.CreateTimer(_ => RunMaintenance(), null, period, period);
        LogStarted(_logger, Name, Id.Value, _options.PeerAddress ?? "", _driver.Status.Membership.ToString());
    }

    /// <summary>
    /// Served locally at every level. Refused while the data is lost; on a node that restarted without its state and
    /// has not caught up, stale reads (and session reads without a minimum) are refused too: they would show its empty
    /// or partial store as if it were the data. Linearizable reads wait for the read index, so they stay correct.
    /// </summary>
    public ValueTask<ReadResult> ReadAsync(ReadConsistency consistency, long minRevision, CancellationToken cancellationToken)
    {
        if (_dataLoss is { } loss) throw DataLostError(loss);
        if (_driver.Status.Recovering && (consistency == ReadConsistency.Stale || (consistency == ReadConsistency.Session && minRevision <= 0)))
        {
            throw new ServiceUnavailableException(UnavailableReason.Recovering, false,
                $"{Name} restarted without its state and is catching up from the leader; read at the linearizable level, from another node, or retry shortly");
        }
        return _local.ReadAsync(consistency, minRevision, cancellationToken);
    }

    public ValueTask<CommandResult> ProposeAsync(CommandEnvelope command, CancellationToken cancellationToken)
    {
        if (_dataLoss is { } loss) throw DataLostError(loss);
        var s = _driver.Status;
        if (s.Role == RaftRole.Leader) return _local.ProposeAsync(command, cancellationToken);
        if (s.Leader.IsNone)
            throw new ServiceUnavailableException(UnavailableReason.NoLeader, false, "there is no leader right now: an election is under way, or too few voters are reachable to elect one; retry shortly");
        return new ValueTask<CommandResult>(ForwardAsync(s.Leader, command, cancellationToken));
    }

    public void Send(IReadOnlyList<Message> messages) => _transport.SendMessages(messages);

    public void OnFrame(NodeId from, Frame frame)
    {
        switch (frame)
        {
            case RaftMessagesFrame raft:
                foreach (var m in raft.Messages) _driver.Deliver(m);
                break;
            case ForwardProposalFrame proposal:
                ServeForwarded(from, proposal);
                break;
            case ForwardResultFrame result:
                CompleteForward(from, result);
                break;
            case JoinRequestFrame request:
                OnMemberRequest(from, request);
                break;
            case JoinResponseFrame answer:
                ProbeAnswered(from, answer);
                break;
            default:
                LogUnexpectedFrame(_logger, frame.GetType().Name, from.ToString());
                break;
        }
    }

    public void OnPeerUnreachable(NodeId peer)
    {
        _driver.ReportUnreachable(peer);
        FailForwardsTo(peer);
    }

    public async ValueTask DisposeAsync()
    {
        // Called by the host's stop and again by the container's disposal.
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (_maintenance is not null) await _maintenance.DisposeAsync();
        await _stop.CancelAsync();
        await _transport.StopAsync();
        await _driver.DisposeAsync();
        _ownedStorage?.Dispose();
        FailForwardsTo(null);
        _http.Dispose();
        _stop.Dispose();
    }

    private string? NotReadyReason(RaftDriverStatus s, DataLossReport? loss) =>
        loss is not null ? loss.Detail
        : _probeWaiting is { } waiting ? waiting
        : !s.Membership.Contains(Id) ? (s.Membership.Members.Count == 0 ? "not a member yet: waiting to be added" : "not a member of the cluster")
        : s.Recovering ? "restarted without its state: catching up from the leader (it does not vote until then)"
        : s.Leader.IsNone ? "no leader known: an election is under way, or a majority of the voters is unreachable"
        : s.Applied < (long)s.Commit.Value ? $"applying committed entries ({s.Applied} of {s.Commit.Value})"
        : null;

    internal static string RoleOf(RaftDriverStatus s, NodeId id) =>
        s.Role == RaftRole.Leader ? "leader"
        : s.Recovering ? "recovering"
        : s.Membership.IsLearner(id) ? "learner"
        : s.Membership.IsVoter(id) ? s.Role.ToString().ToLowerInvariant()
        : s.Membership.Members.Count == 0 ? "joining" : "removed";

    // Records of nodes that are no longer members (or came with a restored backup) are not connected to.
    private Dictionary<NodeId, PeerAddress> PeerMap(MemberDirectory directory)
    {
        var membership = _driver.Status.Membership;
        var learned = _learnedPeers;
        return directory.Members.Where(m => PeerAddress.TryParse(m.Value.PeerAddress, out _)
                && (membership.Contains(m.Key) || _staticIds.Contains(m.Key) || learned.Any(p => NodeNames.ToId(p.Name) == m.Key)))
            .ToDictionary(m => m.Key, m => PeerAddress.Parse(m.Value.PeerAddress));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "node {Name} (id {Id}) started; peers on {PeerAddress}; membership {Membership}")]
    private static partial void LogStarted(ILogger logger, string name, ulong id, string peerAddress, string membership);

    [LoggerMessage(Level = LogLevel.Warning, Message = "unexpected {Frame} frame from {Peer} ignored")]
    private static partial void LogUnexpectedFrame(ILogger logger, string frame, string peer);
}

using System.Runtime.InteropServices;
using System.Threading.Channels;
using Cairn.Consensus;
using Cairn.Consensus.Storage;
using Cairn.Store;
using Cairn.Store.Codec;
using Microsoft.Extensions.Logging;

namespace Cairn.Node.Raft;

/// <summary>Where the driver hands messages for peers. Must not block (queue and return).</summary>
public interface IRaftMessageSink
{
    void Send(IReadOnlyList<Message> messages);
}

/// <summary>What the driver publishes about itself after every Ready cycle (read from any thread).</summary>
/// <param name="Progress">The leader's view of every peer (empty on followers).</param>
/// <param name="Recovering">The node restarted without its state and abstains from elections until it caught up.</param>
/// <param name="LastTerm">Term of the entry at <paramref name="LastIndex"/> in the persisted log.</param>
public sealed record RaftDriverStatus(NodeId Id, RaftRole Role, Term Term, NodeId Leader, LogIndex Commit, long Applied, Membership Membership,
    IReadOnlyList<PeerProgress> Progress, LogIndex LastIndex, bool Recovering = false, Term LastTerm = default);

/// <summary>
/// Owns a <see cref="RaftNode"/> and drives it on one loop: inputs (ticks, peer messages, proposals,
/// read requests) are fed in, then every Ready is handled in the contract's order — persist, send,
/// apply (snapshot, then committed entries in order), serve read states — and acknowledged with
/// <c>Advance</c>. All proposals that arrive while one cycle runs are proposed together in the next
/// (group commit: one append, one persist, one round of messages).
/// </summary>
/// <remarks>
/// Threading: public members are safe from any thread; the RaftNode, the stores and the KvStore's
/// apply side are touched only by the loop. A proposal completes when the entry at its index is
/// applied: with its result if the entry is the one proposed (same term), as "not applied" if
/// another leader's entry replaced it.
/// </remarks>
public sealed partial class RaftDriver : IAsyncDisposable
{
    private readonly RaftNode _raft;
    private readonly ILogStore _log;
    private readonly IStableStore _stable;
    private readonly ISnapshotStore _snapshots;
    private readonly KvStore _store;
    private readonly IRaftMessageSink _sink;
    private readonly RaftDriverOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Input> _inputs;
    private readonly Dictionary<ulong, PendingProposal> _proposals = [];
    private readonly Dictionary<ulong, TaskCompletionSource<LogIndex>> _reads = [];
    private readonly Dictionary<ulong, PendingChange> _changes = [];
    private readonly List<PendingProposal> _batch = [];
    private readonly CancellationTokenSource _stop = new();
    private ulong _nextReadId;
    private long _leaderChanges;
    private NodeId _lastLeader;
    private long _lastSnapshotIndex;
    private long _appliedBytesSinceSnapshot;
    private bool _snapshotInFlight;
    private int _tickQueued;
    private Task? _loop;
    private ITimer? _ticker;
    private volatile RaftDriverStatus _status;

    public RaftDriver(RaftConfig config, ILogStore log, IStableStore stable, ISnapshotStore snapshots, KvStore store,
        IRaftMessageSink sink, RaftDriverOptions options, TimeProvider time, ILogger logger)
    {
        _log = log;
        _stable = stable;
        _snapshots = snapshots;
        _store = store;
        _sink = sink;
        _options = options;
        _time = time;
        _logger = logger;
        // The state machine must be at the latest snapshot before the core hands out entries after it.
        if (snapshots.LoadLatest() is { } latest)
        {
            using var data = ReadOnly(latest.Data);
            store.InstallSnapshot(data);
            _lastSnapshotIndex = (long)latest.Meta.Index.Value;
        }
        _raft = new RaftNode(config, log, stable, snapshots);
        Waiters = new RevisionWaiters(options.InputQueueMax);
        Waiters.Advance(store.AppliedRevision);
        _inputs = Channel.CreateBounded<Input>(new BoundedChannelOptions(options.InputQueueMax) { SingleReader = true });
        _status = Snapshot();
    }

    public RaftDriverStatus Status => _status;

    /// <summary>How many times this node saw the leader change (to another node or to none).</summary>
    public long LeaderChanges => Interlocked.Read(ref _leaderChanges);

    /// <summary>Applied revision waiters (read index and session reads wait here).</summary>
    public RevisionWaiters Waiters { get; }

    public KvStore Store => _store;

    /// <summary>Before <see cref="Start"/>: this node lost its state in a restart; see <see cref="RaftNode.BeginRecovery"/>.</summary>
    public void BeginRecovery()
    {
        Invariant.Check(_loop is null, "recovery is declared before the driver starts");
        _raft.BeginRecovery();
        _status = Snapshot();
    }

    /// <summary>
    /// Starts the loop and the ticks. A sole voter of its configuration campaigns at once: it needs nobody's vote, so it
    /// leads (and a restarted single node serves) without waiting an election timeout first.
    /// </summary>
    public void Start()
    {
        Invariant.Check(_loop is null, "the driver was started twice");
        if (_raft.Membership.Voters is [var only] && only == _raft.Id)
        {
            _raft.Campaign();
            _status = Snapshot();
        }
        _loop = Task.Factory.StartNew(() => RunAsync(_stop.Token), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        var period = TimeSpan.FromMilliseconds(_options.TickMs);
        _ticker = _time.CreateTimer(_ =>
        {
            // At most one tick waits in the queue: a loop that fell behind does not replay a burst of ticks.
            if (Interlocked.Exchange(ref _tickQueued, 1) == 0 && !_inputs.Writer.TryWrite(Input.TickInput))
                Volatile.Write(ref _tickQueued, 0);
        }, null, period, period);
    }

    /// <summary>A message from a peer. Dropped when the loop is overloaded (Raft tolerates loss).</summary>
    public bool Deliver(Message message) => _inputs.Writer.TryWrite(new Input.Step(message));

    /// <summary>Replicates a command; completes with its result once applied on this node.</summary>
    public Task<CommandResult> ProposeAsync(CommandEnvelope command) => ProposeEncodedAsync(CommandCodec.Encode(command));

    /// <summary>
    /// Replicates a command already encoded with <see cref="CommandCodec.Encode(CommandEnvelope)"/> (a write forwarded by
    /// another node, decoded there and here only to validate it). The bytes must not change afterwards.
    /// </summary>
    public Task<CommandResult> ProposeEncodedAsync(ReadOnlyMemory<byte> payload)
    {
        var pending = new PendingProposal(payload);
        if (!_inputs.Writer.TryWrite(new Input.Propose(pending)))
            throw new ServiceUnavailableException(UnavailableReason.Overloaded, false, "the node's input queue is full; retry later");
        return pending.Result.Task;
    }

    /// <summary>Confirms leadership with a quorum (batched) and returns the index a linearizable read must wait for.</summary>
    /// <param name="lease">Allow the leader to answer from its lease without a round (only when the core runs lease-based reads).</param>
    public Task<LogIndex> ReadIndexAsync(bool lease = false)
    {
        var tcs = new TaskCompletionSource<LogIndex>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_inputs.Writer.TryWrite(new Input.Read(tcs, lease)))
            throw new ServiceUnavailableException(UnavailableReason.Overloaded, false, "the node's input queue is full; retry later");
        return tcs.Task;
    }

    /// <summary>Asks the core to hand leadership to <paramref name="target"/>.</summary>
    public Task<TransferLeadershipResult> TransferLeadershipAsync(NodeId target)
    {
        var tcs = new TaskCompletionSource<TransferLeadershipResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_inputs.Writer.TryWrite(new Input.Transfer(target, tcs)))
            throw new ServiceUnavailableException(UnavailableReason.Overloaded, false, "the node's input queue is full; retry later");
        return tcs.Task;
    }

    public async ValueTask DisposeAsync()
    {
        if (_ticker is not null) await _ticker.DisposeAsync();
        await _stop.CancelAsync();
        _inputs.Writer.TryComplete();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }
        FailEverything(new ServiceUnavailableException(UnavailableReason.ShuttingDown, true, "the node stopped"));
        _stop.Dispose();
    }

    /// <summary>
    /// The driver's loop: completes when the driver is disposed, faults when the loop died (an invariant failed). A
    /// faulted driver takes no further part in consensus, so its host must not keep the process running as if it did.
    /// </summary>
    public Task Completion => _loop ?? Task.CompletedTask;

    private async Task RunAsync(CancellationToken stopping)
    {
        var reader = _inputs.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stopping))
            {
                for (var n = 0; n < _options.InputsPerCycleMax && reader.TryRead(out var input); n++) Handle(input);
                FlushProposals();
                while (_raft.HasReady) HandleReady(_raft.GetReady());
                _status = Snapshot();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogLoopFailed(_logger, e);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "the Raft loop stopped; this node no longer takes part in the cluster")]
    private static partial void LogLoopFailed(ILogger logger, Exception error);

    private void Handle(Input input)
    {
        switch (input)
        {
            case Input.Tick:
                Volatile.Write(ref _tickQueued, 0);
                _raft.Tick();
                break;
            case Input.Step step:
                _raft.Step(step.Message);
                break;
            case Input.Propose propose:
                _batch.Add(propose.Pending);
                break;
            case Input.Read read:
                var id = ++_nextReadId;
                var result = _raft.ReadIndex(id, read.Lease);
                if (result.Accepted) _reads[id] = read.Result;
                else read.Result.TrySetException(Dropped(result.Reason, result.LeaderHint, mayHaveApplied: false));
                break;
            case Input.Transfer transfer:
                transfer.Result.TrySetResult(_raft.TransferLeadership(transfer.Target));
                break;
            case Input.Change change:
                ProposeChange(change.Pending);
                break;
            case Input.Unreachable unreachable:
                _raft.ReportUnreachable(unreachable.Peer);
                break;
            case Input.SnapshotTaken taken:
                SnapshotTaken(taken);
                break;
            case Input.AcceptLoss accept:
                accept.Result.TrySetResult(_raft.AcceptDataLoss(accept.LastTerm, accept.LastIndex));
                break;
        }
    }

    private void FlushProposals()
    {
        if (_batch.Count == 0) return;
        var payloads = new ReadOnlyMemory<byte>[_batch.Count];
        for (var i = 0; i < payloads.Length; i++) payloads[i] = _batch[i].Payload;
        var result = _raft.Propose(payloads);
        if (result.Accepted)
        {
            Invariant.Check(result.LastIndex.Value - result.FirstIndex.Value + 1 == (ulong)_batch.Count, "the core assigned one index per payload");
            var term = _raft.Term;
            for (var i = 0; i < _batch.Count; i++)
            {
                _batch[i].Term = term;
                _proposals.Add(result.FirstIndex.Value + (ulong)i, _batch[i]);
                if (_options.TestingAckBeforeCommit) AckBeforeCommit((long)result.FirstIndex.Value + i, _batch[i]);
            }
        }
        else
        {
            var error = Dropped(result.Reason, result.LeaderHint, mayHaveApplied: false);
            foreach (var p in _batch) p.Result.TrySetException(error);
        }
        _batch.Clear();
    }

    /// <summary>A read-only stream over snapshot bytes, without copying them when they sit in an array (they do: the stores load into one).</summary>
    internal static MemoryStream ReadOnly(ReadOnlyMemory<byte> data) =>
        MemoryMarshal.TryGetArray(data, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);

    private RaftDriverStatus Snapshot()
    {
        var s = _raft.Status;
        return new RaftDriverStatus(_raft.Id, _raft.Role, _raft.Term, _raft.Leader, s.Commit, _store.AppliedRevision, _raft.Membership,
            s.Progress, s.LastIndex, _raft.Recovering, PersistedTermAt(s.LastIndex));
    }

    private void FailEverything(Exception error)
    {
        foreach (var p in _proposals.Values) p.Result.TrySetException(error);
        _proposals.Clear();
        foreach (var r in _reads.Values) r.TrySetException(error);
        _reads.Clear();
        foreach (var c in _changes.Values) c.Result.TrySetException(error);
        _changes.Clear();
        Waiters.FailAll(error);
    }

    internal static ServiceUnavailableException Dropped(DropReason reason, NodeId leaderHint, bool mayHaveApplied) => reason switch
    {
        DropReason.NotLeader => new(UnavailableReason.NoLeader, mayHaveApplied,
            leaderHint.IsNone ? "this node is not the leader and knows no leader" : $"this node is not the leader; the leader is {leaderHint}"),
        DropReason.NoLeader => new(UnavailableReason.NoLeader, mayHaveApplied, "there is no leader right now: an election is under way, or too few voters are reachable to elect one"),
        DropReason.Overloaded => new(UnavailableReason.Overloaded, mayHaveApplied, "too many uncommitted writes; retry later"),
        DropReason.TransferInProgress => new(UnavailableReason.NoLeader, mayHaveApplied, "leadership is being transferred; retry shortly"),
        DropReason.LeaderNotReady => new(UnavailableReason.NotReady, mayHaveApplied, "the new leader has not committed an entry of its term yet; retry shortly"),
        _ => new(UnavailableReason.NotReady, mayHaveApplied, $"the request was dropped ({reason})"),
    };

    private sealed class PendingProposal(ReadOnlyMemory<byte> payload)
    {
        public ReadOnlyMemory<byte> Payload { get; } = payload;
        public Term Term { get; set; }
        public TaskCompletionSource<CommandResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private abstract record Input
    {
        public static readonly Input TickInput = new Tick();

        public sealed record Tick : Input;
        public sealed record Step(Message Message) : Input;
        public sealed record Propose(PendingProposal Pending) : Input;
        public sealed record Read(TaskCompletionSource<LogIndex> Result, bool Lease) : Input;
        public sealed record Transfer(NodeId Target, TaskCompletionSource<TransferLeadershipResult> Result) : Input;
        public sealed record Change(PendingChange Pending) : Input;
        public sealed record Unreachable(NodeId Peer) : Input;
        public sealed record SnapshotTaken(long Index, byte[] Data, Exception? Error, Cairn.Consensus.Storage.PreparedSnapshot? Prepared = null) : Input;
        public sealed record AcceptLoss(Term LastTerm, LogIndex LastIndex, TaskCompletionSource<bool> Result) : Input;
    }
}

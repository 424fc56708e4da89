using System.Threading.Channels;
using Cairn.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cairn.Node;

/// <summary>
/// <see cref="IKvService"/> on one node with no peers: one apply loop orders every proposal,
/// applies them in batches (group commit: everything waiting at that moment goes in one batch),
/// and completes each proposal with its result. It honours the same contract the Raft driver
/// will: revision = position in the command sequence, acknowledgement only after apply.
/// </summary>
/// <remarks>
/// Threading: <see cref="ProposeAsync"/> and <see cref="ReadAsync"/> from any thread; the store is
/// mutated only by the apply loop. As the only member, this node's applied state is always the
/// latest acknowledged state, so every read level is served from the current view.
/// </remarks>
public sealed partial class SingleNodeKvService : BackgroundService, IKvService
{
    private readonly KvStore _store;
    private readonly NodeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SingleNodeKvService> _log;
    private readonly Channel<PendingProposal> _queue;
    private readonly RevisionWaiters _waiters;
    private volatile bool _stopping;

    public SingleNodeKvService(KvStore store, IOptions<NodeOptions> options, TimeProvider time, ILogger<SingleNodeKvService> log)
    {
        _store = store;
        _options = options.Value;
        _time = time;
        _log = log;
        _queue = Channel.CreateBounded<PendingProposal>(new BoundedChannelOptions(_options.ProposalQueueMax)
        {
            FullMode = BoundedChannelFullMode.Wait, // never used: writers call TryWrite and answer 503 when full
            SingleReader = true,
        });
        _waiters = new RevisionWaiters(_options.ReadWaitersMax);
        _waiters.Advance(store.AppliedRevision);
    }

    public NodeStatus Status => new(_options.NodeId, "leader", 1, _options.NodeId, _store.AppliedRevision, _store.AppliedRevision, !_stopping);

    public ValueTask<CommandResult> ProposeAsync(CommandEnvelope command, CancellationToken cancellationToken)
    {
        if (_stopping) throw Unavailable(UnavailableReason.ShuttingDown, "the node is shutting down");
        var pending = new PendingProposal(command);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ServiceUnavailableException(UnavailableReason.Overloaded, mayHaveApplied: false,
                $"more than {_options.ProposalQueueMax} writes are waiting; retry later", TimeSpan.FromMilliseconds(200));
        }
        // Cancellation does not withdraw a queued command (it may already be applied); the caller
        // stops waiting and must report that the outcome is unknown.
        return new ValueTask<CommandResult>(pending.Result.Task.WaitAsync(cancellationToken));
    }

    public async ValueTask<ReadResult> ReadAsync(ReadConsistency consistency, long minRevision, CancellationToken cancellationToken)
    {
        if (consistency == ReadConsistency.Session && minRevision > _waiters.Applied)
        {
            var wait = _waiters.TryWaitAsync(minRevision)
                ?? throw new ServiceUnavailableException(UnavailableReason.Overloaded, false, "too many reads are waiting; retry later");
            try
            {
                await wait.WaitAsync(TimeSpan.FromMilliseconds(_options.ReadTimeoutMs), _time, cancellationToken);
            }
            catch (TimeoutException)
            {
                throw Unavailable(UnavailableReason.Timeout,
                    $"revision {minRevision} was not applied within {_options.ReadTimeoutMs} ms (applied: {_waiters.Applied})");
            }
        }
        return new ReadResult(_store.Current, IsStale: false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var expiry = StartExpiryLoop(stoppingToken);
        var batch = new List<PendingProposal>(_options.BatchCommandsMax);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < _options.BatchCommandsMax && reader.TryRead(out var p)) batch.Add(p);
                ApplyBatch(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _stopping = true;
            _queue.Writer.TryComplete();
            var stopped = Unavailable(UnavailableReason.ShuttingDown, "the node stopped before the write was applied");
            while (reader.TryRead(out var p)) p.Result.TrySetException(stopped);
            _waiters.FailAll(stopped);
        }
    }

    private void ApplyBatch(List<PendingProposal> batch)
    {
        // Group commit point: with a write-ahead log, the batch is appended and fsynced once here.
        var revision = _store.AppliedRevision;
        foreach (var p in batch)
        {
            revision++;
            CommandResult result;
            try
            {
                result = _store.Apply(revision, p.Command);
            }
            catch (Exception e) when (e is not InvariantViolationException)
            {
                LogApplyFailed(_log, e, revision);
                throw;
            }
            p.Result.TrySetResult(result);
        }
        _waiters.Advance(revision);
    }

    private static ServiceUnavailableException Unavailable(UnavailableReason reason, string message) =>
        new(reason, mayHaveApplied: false, message);

    [LoggerMessage(Level = LogLevel.Critical, Message = "applying the command at revision {Revision} failed; the node stops")]
    private static partial void LogApplyFailed(ILogger logger, Exception error, long revision);

    private sealed class PendingProposal(CommandEnvelope command)
    {
        public CommandEnvelope Command { get; } = command;
        public TaskCompletionSource<CommandResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

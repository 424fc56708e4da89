using System.Collections.Concurrent;
using System.Text;
using Cairn.Consensus;
using Cairn.Store;
using Cairn.Store.Codec;
using Cairn.Transport.Wire;

namespace Cairn.Node.Cluster;

public sealed partial class ClusterNode
{
    // ForwardResultFrame.Status values.
    private const byte ForwardOk = 0;
    private const byte ForwardUnavailable = 1;
    private const byte ForwardMalformed = 2;

    private readonly ConcurrentDictionary<ulong, PendingForward> _forwards = new();
    private long _nextCorrelation;

    private sealed record PendingForward(NodeId Leader, TaskCompletionSource<CommandResult> Result);

    // Follower side: the command goes to the leader as encoded, and the caller waits for the leader's answer.
    // A lost link or a timeout leaves the outcome unknown (the leader may have applied it): the client retries
    // with the same request id and the leader's dedup window answers without applying twice.
    private async Task<CommandResult> ForwardAsync(NodeId leader, CommandEnvelope command, CancellationToken cancellationToken)
    {
        if (_forwards.Count >= _options.ForwardsInFlightMax)
            throw new ServiceUnavailableException(UnavailableReason.Overloaded, false, "too many writes are being forwarded to the leader; retry later");
        var id = (ulong)Interlocked.Increment(ref _nextCorrelation);
        var pending = new PendingForward(leader, new TaskCompletionSource<CommandResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        _forwards[id] = pending;
        try
        {
            if (!_transport.TrySend(leader, new ForwardProposalFrame(id, CommandCodec.Encode(command))))
                throw new ServiceUnavailableException(UnavailableReason.NoLeader, false,
                    $"the leader {_directory.NameOf(leader)} cannot be reached from this node right now; retry");
            return await pending.Result.Task.WaitAsync(TimeSpan.FromMilliseconds(_options.ForwardTimeoutMs), _time, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new ServiceUnavailableException(UnavailableReason.Timeout, true,
                $"the leader {_directory.NameOf(leader)} did not answer within {_options.ForwardTimeoutMs} ms; the write may have been applied");
        }
        finally
        {
            _forwards.TryRemove(id, out _);
        }
    }

    // Leader side: propose and answer on completion, whatever the outcome. Never re-forwarded (no loops): a node
    // that is no longer the leader answers "not the leader" and the origin's client retries.
    private void ServeForwarded(NodeId from, ForwardProposalFrame frame)
    {
        try
        {
            // Decoded only to refuse a malformed command here: every replica decodes it again when applying it.
            _ = CommandCodec.Decode(frame.Payload.Span);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or ArgumentException)
        {
            Reply(from, frame.CorrelationId, ForwardMalformed, Encoding.UTF8.GetBytes("the forwarded command could not be decoded: " + e.Message));
            return;
        }
        if (_driver.Status.Role != RaftRole.Leader)
        {
            ReplyUnavailable(from, frame.CorrelationId, Raft.RaftDriver.Dropped(DropReason.NotLeader, _driver.Status.Leader, mayHaveApplied: false));
            return;
        }
        Task<CommandResult> task;
        try
        {
            task = _driver.ProposeEncodedAsync(frame.Payload);
        }
        catch (ServiceUnavailableException e)
        {
            ReplyUnavailable(from, frame.CorrelationId, e);
            return;
        }
        _ = task.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully) Reply(from, frame.CorrelationId, ForwardOk, CommandCodec.EncodeResult(t.Result));
            else if (t.Exception?.InnerException is ServiceUnavailableException e) ReplyUnavailable(from, frame.CorrelationId, e);
            else ReplyUnavailable(from, frame.CorrelationId, new ServiceUnavailableException(UnavailableReason.NotReady, true, "the leader failed the write"));
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void ReplyUnavailable(NodeId to, ulong correlation, ServiceUnavailableException e)
    {
        var message = Encoding.UTF8.GetBytes(e.Message);
        var payload = new byte[2 + message.Length];
        payload[0] = (byte)e.Reason;
        payload[1] = e.MayHaveApplied ? (byte)1 : (byte)0;
        message.CopyTo(payload, 2);
        Reply(to, correlation, ForwardUnavailable, payload);
    }

    private void Reply(NodeId to, ulong correlation, byte status, byte[] payload) =>
        _transport.TrySend(to, new ForwardResultFrame(correlation, status, payload));

    private void CompleteForward(NodeId from, ForwardResultFrame frame)
    {
        if (!_forwards.TryGetValue(frame.CorrelationId, out var pending) || pending.Leader != from) return;
        var payload = frame.Payload.Span;
        switch (frame.Status)
        {
            case ForwardOk:
                try
                {
                    pending.Result.TrySetResult(CommandCodec.DecodeResult(payload));
                }
                catch (Exception e) when (e is InvalidDataException or FormatException or ArgumentException)
                {
                    pending.Result.TrySetException(new ServiceUnavailableException(UnavailableReason.NotReady, true,
                        "the leader's answer could not be decoded; the write may have been applied"));
                }
                break;
            case ForwardUnavailable when payload.Length >= 2 && Enum.IsDefined((UnavailableReason)payload[0]):
                pending.Result.TrySetException(new ServiceUnavailableException((UnavailableReason)payload[0], payload[1] != 0,
                    Encoding.UTF8.GetString(payload[2..])));
                break;
            default:
                pending.Result.TrySetException(new ServiceUnavailableException(UnavailableReason.NotReady, false,
                    "the leader refused the forwarded write: " + Encoding.UTF8.GetString(payload)));
                break;
        }
    }

    // Maintenance: a write forwarded to a node that is no longer the leader (as this node now sees it) may never be
    // answered — a crashed leader's link reports its outage once, and frames queued after that are dropped — so it is
    // failed now, as outcome unknown, instead of after ForwardTimeoutMs; the client retries with its request id.
    private void FailForwardsToFormerLeaders(NodeId leader)
    {
        foreach (var (_, pending) in _forwards)
        {
            if (pending.Leader == leader) continue;
            pending.Result.TrySetException(new ServiceUnavailableException(UnavailableReason.NoLeader, true,
                $"leadership moved away from {_directory.NameOf(pending.Leader)} while the write was in flight; it may have been applied: " +
                "retry with the same X-Cairn-Request-Id"));
        }
    }

    // The link to the leader broke: every write forwarded over it has an unknown outcome.
    private void FailForwardsTo(NodeId? leader)
    {
        foreach (var (_, pending) in _forwards)
        {
            if (leader is { } l && pending.Leader != l) continue;
            pending.Result.TrySetException(new ServiceUnavailableException(UnavailableReason.NoLeader, true,
                $"the link to the leader {_directory.NameOf(pending.Leader)} broke while the write was in flight; it may have been applied"));
        }
    }
}

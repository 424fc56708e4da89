using System.Buffers.Binary;
using System.Collections.Concurrent;
using Cairn.Transport.Wire;
using Microsoft.Extensions.Logging;

namespace Cairn.Node.Cluster;

public sealed partial class ClusterNode
{
    private const byte ProbeKind = 1;

    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<(ulong LastIndex, ulong Commit)>> _probes = new();

    /// <summary>
    /// An in-memory node that bootstraps from <c>--peers</c> cannot tell a first start from a restart that lost its
    /// data. Before its Raft loop starts it asks every founding peer how long its log is: if any holds entries, this
    /// node restarted empty inside a living cluster and abstains from elections until it has caught up
    /// (<see cref="Raft.RaftDriver.BeginRecovery"/>); if none does (or none answers in time), the cluster is new.
    /// Limitation: if every node restarts empty at once, nothing remembers the data and the cluster starts empty.
    /// </summary>
    private async Task<bool> ProbeForExistingDataAsync(CancellationToken cancellationToken)
    {
        var others = _staticPeers.Where(p => p.Name != Name).Select(p => NodeNames.ToId(p.Name)).ToList();
        if (others.Count == 0 || _driver.Status.LastIndex.Value > 0) return false;
        var waits = new List<Task<(ulong LastIndex, ulong Commit)>>();
        foreach (var peer in others)
        {
            var id = (ulong)Interlocked.Increment(ref _nextCorrelation);
            var tcs = new TaskCompletionSource<(ulong, ulong)>(TaskCreationOptions.RunContinuationsAsynchronously);
            _probes[id] = tcs;
            waits.Add(tcs.Task);
            _transport.TrySend(peer, new JoinRequestFrame(id, Id, Self.PeerAddress, Self.HttpAddress ?? "", new byte[] { ProbeKind }));
        }
        var deadline = Task.Delay(TimeSpan.FromMilliseconds(_options.TickMs * _options.ElectionTicks * 3), _time, cancellationToken);
        var pending = waits.ToList();
        try
        {
            while (pending.Count > 0)
            {
                var done = await Task.WhenAny([.. pending, deadline]);
                if (done == deadline) break;
                pending.Remove((Task<(ulong, ulong)>)done);
                var (lastIndex, commit) = await (Task<(ulong, ulong)>)done;
                if (lastIndex > 0)
                {
                    LogRecovering(_logger, Name, lastIndex, commit);
                    return true;
                }
            }
        }
        finally
        {
            foreach (var key in _probes.Keys) _probes.TryRemove(key, out _);
        }
        LogFreshStart(_logger, Name, others.Count - pending.Count, others.Count);
        return false;
    }

    private void AnswerProbe(NodeId from, JoinRequestFrame request)
    {
        if (request.Payload.Length != 1 || request.Payload.Span[0] != ProbeKind) return;
        var s = _driver.Status;
        var payload = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(payload, s.LastIndex.Value);
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(8), s.Commit.Value);
        _transport.TrySend(from, new JoinResponseFrame(request.CorrelationId, 0, Id, Self.PeerAddress, Self.HttpAddress ?? "", payload));
    }

    private void ProbeAnswered(JoinResponseFrame response)
    {
        if (response.Payload.Length != 16 || !_probes.TryRemove(response.CorrelationId, out var tcs)) return;
        var span = response.Payload.Span;
        tcs.TrySetResult((BinaryPrimitives.ReadUInt64LittleEndian(span), BinaryPrimitives.ReadUInt64LittleEndian(span[8..])));
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Name} started without data while a peer holds {LastIndex} entries (commit {Commit}): it restarted empty, so it will not vote until it has caught up")]
    private static partial void LogRecovering(ILogger logger, string name, ulong lastIndex, ulong commit);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Name}: no founding peer holds data ({Answered} of {Peers} answered): starting a new cluster")]
    private static partial void LogFreshStart(ILogger logger, string name, int answered, int peers);
}

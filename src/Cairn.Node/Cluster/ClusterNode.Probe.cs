using System.Buffers.Binary;
using System.Collections.Concurrent;
using Cairn.Consensus;
using Cairn.Transport.Wire;
using Microsoft.Extensions.Logging;

namespace Cairn.Node.Cluster;

public sealed partial class ClusterNode
{
    // JoinRequestFrame payloads between members (a joining node's own requests go over HTTP): the first byte is the kind.
    private const byte ProbeKind = 1;
    private const byte AcceptLossKind = 2;
    // Flags byte of a probe answer.
    private const byte RecoveringFlag = 1;

    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<PeerReport>> _probes = new();

    /// <summary>What a peer answered to a probe: the length of its log, its commit index, and whether it is recovering.</summary>
    private sealed record PeerReport(ulong LastIndex, ulong Commit, bool Recovering, DateTimeOffset At);

    // While the start-up probe waits for founding peers: who, for /readyz and _cluster (null once decided).
    private volatile string? _probeWaiting;

    /// <summary>
    /// An in-memory node that bootstraps from <c>--peers</c> cannot tell a first start from a restart that lost its
    /// data. Before its Raft loop starts it asks every founding peer how long its log is: if any holds entries, or is
    /// itself recovering (which proves the cluster held data), this node restarted empty inside a living cluster and
    /// recovers (<see cref="Raft.RaftDriver.BeginRecovery"/>: no vote until it caught up and was promoted again). Only
    /// when every founding peer answered, none holding data, is the cluster new. A peer that does not answer is asked
    /// again every 100 ms for as long as it takes (reported every three election timeouts): deciding without it could start a node
    /// fresh — voting at once with an empty log — beside a peer that holds committed data (the simulator showed the
    /// entries lost). Limitation: if every node restarts empty at once, nothing remembers the data; they start empty.
    /// </summary>
    private async Task<bool> ProbeForExistingDataAsync(CancellationToken cancellationToken)
    {
        var others = _staticPeers.Where(p => p.Name != Name).Select(p => NodeNames.ToId(p.Name)).ToList();
        if (others.Count == 0 || _driver.Status.LastIndex.Value > 0) return false;
        var answered = new HashSet<NodeId>();
        var round = TimeSpan.FromMilliseconds(_options.TickMs * _options.ElectionTicks * 3);
        var started = _time.GetTimestamp();
        var rounds = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Unanswered peers are asked again every ProbeResend: a probe sent before a peer's listener was up is lost,
            // and the sooner every founder has answered, the less likely a late one finds a cluster already running.
            var waits = new Dictionary<Task<PeerReport>, NodeId>();
            foreach (var peer in others.Where(p => !answered.Contains(p)))
            {
                var id = (ulong)Interlocked.Increment(ref _nextCorrelation);
                var tcs = new TaskCompletionSource<PeerReport>(TaskCreationOptions.RunContinuationsAsynchronously);
                _probes[id] = tcs;
                waits[tcs.Task] = peer;
                SendProbe(peer, id);
            }
            var deadline = Task.Delay(ProbeResend, _time, cancellationToken);
            try
            {
                while (waits.Count > 0)
                {
                    var done = await Task.WhenAny([.. waits.Keys, deadline]);
                    if (done == deadline) break;
                    var answer = (Task<PeerReport>)done;
                    answered.Add(waits[answer]);
                    waits.Remove(answer);
                    var report = await answer;
                    if (report.LastIndex > 0 || report.Recovering)
                    {
                        _probeWaiting = null;
                        LogRecovering(_logger, Name, report.LastIndex, report.Commit, report.Recovering);
                        return true;
                    }
                }
            }
            finally
            {
                foreach (var key in _probes.Keys) _probes.TryRemove(key, out _);
            }
            if (answered.Count == others.Count)
            {
                _probeWaiting = null;
                LogFreshStart(_logger, Name, answered.Count, others.Count);
                return false;
            }
            if (_time.GetElapsedTime(started) < round * (rounds + 1)) continue;
            rounds++;
            var missing = string.Join(", ", others.Where(p => !answered.Contains(p)).Select(p => _directory.NameOf(p)));
            _probeWaiting = $"waiting for founding peers {missing} to say whether the cluster holds data (an empty node decides nothing without them)";
            if (rounds == 1 || rounds % 10 == 0) LogProbeWaiting(_logger, Name, missing, rounds);
        }
    }

    /// <summary>How often the start-up probe asks a founding peer that has not answered yet.</summary>
    private static readonly TimeSpan ProbeResend = TimeSpan.FromMilliseconds(100);

    private void SendProbe(NodeId peer, ulong correlation) =>
        _transport.TrySend(peer, new JoinRequestFrame(correlation, Id, Self.PeerAddress, Self.HttpAddress ?? "", new byte[] { ProbeKind }));

    private void OnMemberRequest(NodeId from, JoinRequestFrame request)
    {
        var payload = request.Payload.Span;
        if (payload.Length == 1 && payload[0] == ProbeKind) AnswerProbe(from, request.CorrelationId);
        else if (payload.Length == 17 && payload[0] == AcceptLossKind)
            OnDataLossAccepted(from, new Term(BinaryPrimitives.ReadUInt64LittleEndian(payload[1..])), new LogIndex(BinaryPrimitives.ReadUInt64LittleEndian(payload[9..])));
    }

    private void AnswerProbe(NodeId from, ulong correlation)
    {
        var s = _driver.Status;
        var payload = new byte[17];
        BinaryPrimitives.WriteUInt64LittleEndian(payload, s.LastIndex.Value);
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(8), s.Commit.Value);
        payload[16] = s.Recovering ? RecoveringFlag : (byte)0;
        _transport.TrySend(from, new JoinResponseFrame(correlation, 0, Id, Self.PeerAddress, Self.HttpAddress ?? "", payload));
    }

    // Answers to the start-up probe complete its wait; every answer (also to the data-loss probes) is remembered.
    private void ProbeAnswered(NodeId from, JoinResponseFrame response)
    {
        var span = response.Payload.Span;
        if (span.Length is not (16 or 17)) return;
        var report = new PeerReport(BinaryPrimitives.ReadUInt64LittleEndian(span), BinaryPrimitives.ReadUInt64LittleEndian(span[8..]),
            span.Length == 17 && (span[16] & RecoveringFlag) != 0, _time.GetUtcNow());
        _peerReports[from] = report;
        if (_probes.TryRemove(response.CorrelationId, out var tcs)) tcs.TrySetResult(report);
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Name} started without data while a peer holds {LastIndex} entries (commit {Commit}; the peer is recovering too: {PeerRecovering}): it restarted empty, so it will not vote until it has caught up")]
    private static partial void LogRecovering(ILogger logger, string name, ulong lastIndex, ulong commit, bool peerRecovering);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Name} started with an empty log and cannot decide yet whether it lost its state: founding peers {Missing} have not answered for {Rounds} round(s) of three election timeouts; it keeps asking and neither votes nor serves until they do")]
    private static partial void LogProbeWaiting(ILogger logger, string name, string missing, int rounds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Name}: no founding peer holds data ({Answered} of {Peers} answered): starting a new cluster")]
    private static partial void LogFreshStart(ILogger logger, string name, int answered, int peers);
}

using System.Buffers.Binary;
using System.Collections.Concurrent;
using Cairn.Consensus;
using Cairn.Transport.Wire;
using Microsoft.Extensions.Logging;

namespace Cairn.Node.Cluster;

/// <summary>
/// A majority of the voters restarted without their state (they are recovering: they never vote until caught up), so
/// no leader can be elected and acknowledged writes may be gone. Reported by every node that sees it.
/// </summary>
/// <param name="LostNodes">The voters that lost their state.</param>
/// <param name="Survivor">The voter that kept the longest log among those that answered (null: none did).</param>
public sealed record DataLossReport(IReadOnlyList<string> LostNodes, int Voters, string? Survivor, long? SurvivorLastIndex, string Detail,
    DateTimeOffset DetectedAt);

/// <summary>What <c>POST /v1/_cluster/accept-data-loss</c> did: the cluster continues from <see cref="Node"/>'s state.</summary>
public sealed record DataLossAccepted(string Node, long LastIndex, string Leader, IReadOnlyList<string> LostNodes);

public sealed partial class ClusterNode
{
    private readonly ConcurrentDictionary<NodeId, PeerReport> _peerReports = new();
    private volatile DataLossReport? _dataLoss;
    private volatile Acceptance? _accepting;
    private DateTimeOffset _lastLossProbe;
    private long _acceptedFloor = -1; // the survivor's index last accepted here (logged once, though resent every round)

    /// <summary>The operator's acceptance, resent to the recovering voters until a leader exists or it expires.</summary>
    private sealed record Acceptance(Term LastTerm, LogIndex LastIndex, DateTimeOffset Until);

    /// <summary>Non-null while this node sees a majority of the voters without their state (see <see cref="DataLossReport"/>).</summary>
    public DataLossReport? DataLoss => _dataLoss;

    private TimeSpan AcceptWindow => TimeSpan.FromMilliseconds(_options.TickMs * _options.ElectionTicks * 20L);

    /// <summary>
    /// Maintenance: while this node knows no leader (or is recovering without one), ask every voter every
    /// <see cref="ClusterOptions.RecoveryProbeIntervalMs"/> whether it is recovering, and declare the data lost when a
    /// majority of the voters is. Only a node that knows a leader and is not recovering clears the state.
    /// </summary>
    private void WatchForDataLoss(Raft.RaftDriverStatus s)
    {
        var now = _time.GetUtcNow();
        if (!s.Leader.IsNone && !s.Recovering)
        {
            _accepting = null;
            if (_dataLoss is { } was)
            {
                _dataLoss = null;
                LogDataLossCleared(_logger, Name, _directory.NameOf(s.Leader), string.Join(", ", was.LostNodes));
            }
            return;
        }
        if (_accepting is { } accepting && now < accepting.Until) SendAcceptance(s, accepting);
        var interval = TimeSpan.FromMilliseconds(_options.RecoveryProbeIntervalMs);
        if (now - _lastLossProbe >= interval)
        {
            _lastLossProbe = now;
            foreach (var voter in s.Membership.Voters.Where(v => v != Id)) SendProbe(voter, (ulong)Interlocked.Increment(ref _nextCorrelation));
        }
        Evaluate(s, now, interval * 3);
    }

    private void Evaluate(Raft.RaftDriverStatus s, DateTimeOffset now, TimeSpan fresh)
    {
        var voters = s.Membership.Voters;
        if (voters.Count == 0) return;
        var lost = new List<NodeId>();
        NodeId? survivor = null;
        ulong longest = 0;
        foreach (var voter in voters)
        {
            bool recovering;
            ulong lastIndex;
            if (voter == Id) (recovering, lastIndex) = (s.Recovering, s.LastIndex.Value);
            else if (_peerReports.TryGetValue(voter, out var r) && now - r.At <= fresh) (recovering, lastIndex) = (r.Recovering, r.LastIndex);
            else continue; // silent: neither lost nor a survivor as far as this node knows
            if (recovering) lost.Add(voter);
            else if (survivor is null || lastIndex > longest) (survivor, longest) = (voter, lastIndex);
        }
        // Sticky once declared: a recovering node stops recovering only by catching up from a leader, so fewer answers
        // (a lost node stopped, a report went stale) do not make the data less lost; a leader clears it (above).
        if (lost.Count < s.Membership.Quorum) return;
        var names = lost.Select(_directory.NameOf).ToList();
        var survivorName = survivor is { } sv ? _directory.NameOf(sv) : null;
        var previous = _dataLoss;
        var report = new DataLossReport(names, voters.Count, survivorName, survivor is null ? null : (long)longest,
            Describe(names, voters.Count, survivorName, longest), previous?.DetectedAt ?? now);
        _dataLoss = report;
        if (previous is null || !previous.LostNodes.SequenceEqual(names) || previous.Survivor != survivorName) LogDataLost(_logger, report.Detail);
    }

    private static string Describe(List<string> lost, int voters, string? survivor, ulong longest) =>
        $"DATA LOST: {string.Join(", ", lost)} ({lost.Count} of the {voters} voters) restarted without their state, so no leader can be elected " +
        "and writes the cluster acknowledged may be gone. " +
        (survivor is null ? "No voter that kept its state answers. " : $"{survivor} kept its state up to log index {longest}. ") +
        "Reads and writes are refused until an operator accepts the loss with POST /v1/_cluster/accept-data-loss sent to the node " +
        "whose state the cluster should continue from" + (survivor is null ? "." : $" ({survivor}).");

    /// <summary>
    /// The operator's way out (<c>POST /v1/_cluster/accept-data-loss</c>, sent to the node whose state is kept): the
    /// recovering voters are told they may vote for a candidate at least as up to date as this node's last entry
    /// (<see cref="RaftNode.AcceptDataLoss"/>), so this node (or one even further ahead) is elected and the others
    /// take its state. Waits for a leader. <see cref="InvalidOperationException"/> when there is nothing to accept
    /// here: no data loss seen, or this node lost its own state.
    /// </summary>
    public async Task<DataLossAccepted> AcceptDataLossAsync(CancellationToken cancellationToken)
    {
        var s = _driver.Status;
        var loss = _dataLoss ?? throw new InvalidOperationException(
            $"{Name} sees no data loss (a majority of the voters restarted without their state): nothing to accept");
        if (s.Recovering)
        {
            throw new InvalidOperationException($"{Name} restarted without its own state; send this to the node whose state the cluster " +
                "should continue from" + (loss.Survivor is { } survivor ? $" ({survivor})" : ""));
        }
        var acceptance = new Acceptance(s.LastTerm, s.LastIndex, _time.GetUtcNow() + AcceptWindow);
        _accepting = acceptance;
        LogDataLossAccepted(_logger, Name, s.LastIndex.Value, string.Join(", ", loss.LostNodes));
        SendAcceptance(s, acceptance);
        while (_time.GetUtcNow() < acceptance.Until)
        {
            var now = _driver.Status;
            if (!now.Leader.IsNone) return new DataLossAccepted(Name, (long)s.LastIndex.Value, _directory.NameOf(now.Leader), loss.LostNodes);
            await Task.Delay(TimeSpan.FromMilliseconds(_options.TickMs), _time, cancellationToken); // polling with a deadline
        }
        throw new ServiceUnavailableException(UnavailableReason.Timeout, false,
            "the loss was accepted but no leader was elected in time; are a majority of the voters running? Send it again to retry");
    }

    private void SendAcceptance(Raft.RaftDriverStatus s, Acceptance acceptance)
    {
        var payload = new byte[17];
        payload[0] = AcceptLossKind;
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(1), acceptance.LastTerm.Value);
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(9), acceptance.LastIndex.Value);
        foreach (var voter in s.Membership.Voters.Where(v => v != Id))
            _transport.TrySend(voter, new JoinRequestFrame((ulong)Interlocked.Increment(ref _nextCorrelation), Id, Self.PeerAddress, Self.HttpAddress ?? "", payload));
    }

    // Transport thread. Only a recovering node acts on it (the core ignores it otherwise too).
    private void OnDataLossAccepted(NodeId from, Term lastTerm, LogIndex lastIndex)
    {
        if (!_driver.Status.Recovering) return;
        try
        {
            _ = _driver.AcceptDataLossAsync(lastTerm, lastIndex).ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully && t.Result && Interlocked.Exchange(ref _acceptedFloor, (long)lastIndex.Value) != (long)lastIndex.Value)
                    LogAcceptingLoss(_logger, Name, _directory.NameOf(from), lastIndex.Value);
            }, TaskScheduler.Default);
        }
        catch (ServiceUnavailableException)
        {
            // The loop is overloaded: the survivor resends every maintenance round.
        }
    }

    private ServiceUnavailableException DataLostError(DataLossReport loss) =>
        new(UnavailableReason.DataLost, false, loss.Detail, TimeSpan.FromMilliseconds(_options.RecoveryProbeIntervalMs));

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Detail}")]
    private static partial void LogDataLost(ILogger logger, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name}: the data loss ({Lost}) is over; leader {Leader}")]
    private static partial void LogDataLossCleared(ILogger logger, string name, string leader, string lost);

    [LoggerMessage(Level = LogLevel.Critical,
        Message = "the operator accepted the data loss of {Lost}: the cluster continues from {Name}'s state (log index {LastIndex}); writes only the lost nodes held are gone")]
    private static partial void LogDataLossAccepted(ILogger logger, string name, ulong lastIndex, string lost);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Name}: the operator accepted the data loss; voting again for a candidate holding at least {Survivor}'s log (index {LastIndex})")]
    private static partial void LogAcceptingLoss(ILogger logger, string name, string survivor, ulong lastIndex);
}

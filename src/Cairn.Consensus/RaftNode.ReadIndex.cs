namespace Cairn.Consensus;

public sealed partial class RaftNode
{
    private readonly record struct PendingRead(NodeId Origin, ulong RequestId, bool Lease);

    private sealed record ReadRound(ulong Context, LogIndex Index, PendingRead[] Reads);

    // Leader only. Reads accepted and not yet launched (launched at GetReady once the leader committed in its term).
    private readonly List<PendingRead> _readQueue = [];

    // Launched rounds, oldest first; a round completes when a quorum of voters acknowledged its context (or a later one).
    private readonly Queue<ReadRound> _readRounds = new();
    private ulong _readContextSeq;
    private int _readsPending;

    /// <summary>
    /// Requests a linearizable read. On the leader, the read joins the next heartbeat round (batched with every read
    /// waiting at the next <see cref="GetReady"/>); a <see cref="ReadState"/> with its read index follows once a quorum
    /// confirms leadership. On a follower, the request is forwarded to the leader and the ReadState arrives from it.
    /// Reads in flight are dropped silently when leadership changes: the driver fails them on a SoftState change or a timeout.
    /// </summary>
    /// <param name="lease">
    /// Whether this read may be served from the leader's lease (only with <see cref="ReadMode.LeaseBased"/>; a read
    /// forwarded from a follower never is). Null: the configured mode decides (lease-based mode → lease).
    /// </param>
    public ReadIndexResult ReadIndex(ulong requestId, bool? lease = null)
    {
        AssertNoReadyOutstanding();
        if (requestId == RecoveryBarrierRequestId) throw new ArgumentOutOfRangeException(nameof(requestId), "reserved for recovery barriers");
        if (_role == RaftRole.Leader) return EnqueueRead(new PendingRead(Id, requestId, lease ?? _config.ReadMode == ReadMode.LeaseBased));
        if (_leader.IsNone) return ReadIndexResult.Dropped(DropReason.NoLeader);
        Send(new ReadIndexRequest(Id, _leader, _term, requestId));
        return ReadIndexResult.Ok();
    }

    /// <summary>True once this leader committed an entry of its own term: before that its commit index may be stale (§6.4).</summary>
    private bool CommittedInCurrentTerm => _log.TermAt(_log.Committed) == _term;

    private bool CanLaunchReads => _role == RaftRole.Leader && _readQueue.Count > 0 && CommittedInCurrentTerm;

    private ulong LatestReadContext => _readRounds.Count > 0 ? _readContextSeq : 0;

    private ReadIndexResult EnqueueRead(PendingRead read)
    {
        if (_readsPending >= _config.ReadRequestsPendingMax) return ReadIndexResult.Dropped(DropReason.Overloaded, Id);
        _readQueue.Add(read);
        _readsPending++;
        return ReadIndexResult.Ok();
    }

    private void LaunchPendingReads()
    {
        if (!CanLaunchReads) return;
        var reads = _readQueue.ToArray();
        _readQueue.Clear();
        var index = _log.Committed;
        var selfQuorum = _membership.Quorum == 1 && _membership.IsVoter(Id);
        if (selfQuorum || _faults.HasFlag(TestingFaults.AckReadIndexWithoutQuorum))
        {
            CompleteReads(index, reads);
            return;
        }
        if (_config.ReadMode == ReadMode.LeaseBased && reads.Any(r => r.Lease) && LeaseValid())
        {
            CompleteReads(index, [.. reads.Where(r => r.Lease)]);
            reads = [.. reads.Where(r => !r.Lease)];
            if (reads.Length == 0) return;
        }
        _readContextSeq++;
        _readRounds.Enqueue(new ReadRound(_readContextSeq, index, reads));
        BroadcastHeartbeat(_readContextSeq);
    }

    /// <summary>
    /// The lease: a quorum of voters was heard from within half an election timeout. Followers that heard from this
    /// leader refuse to vote for ElectionTicks (leader stickiness), so no other leader can exist yet — given that
    /// tick rates do not drift apart by more than the remaining half. A TimeoutNow bypasses that stickiness, so no
    /// lease is trusted during a transfer or for two election timeouts after a TimeoutNow was sent.
    /// </summary>
    private bool LeaseValid()
    {
        if (!_leadTransferee.IsNone || _leaseBlockedTicks > 0) return false;
        var fresh = 0;
        foreach (var voter in _membership.Voters)
        {
            if (CountsForQuorum(voter) && (voter == Id || _progress[voter].TicksSinceContact < _config.ElectionTicks / 2)) fresh++;
        }
        return fresh >= _membership.Quorum;
    }

    private void CompleteConfirmedReadRounds()
    {
        while (_readRounds.Count > 0)
        {
            var round = _readRounds.Peek();
            var acks = 0;
            foreach (var voter in _membership.Voters)
            {
                if (CountsForQuorum(voter) && (voter == Id || _progress[voter].ReadAck >= round.Context)) acks++;
            }
            if (acks < _membership.Quorum) return;
            _readRounds.Dequeue();
            CompleteReads(round.Index, round.Reads);
        }
    }

    private void CompleteReads(LogIndex index, PendingRead[] reads)
    {
        foreach (var read in reads)
        {
            _readsPending--;
            if (read.Origin == Id) _readStates.Add(new ReadState(read.RequestId, index));
            else if (read.RequestId == RecoveryBarrierRequestId) Send(new ReadIndexResponse(Id, read.Origin, _term, read.RequestId, BarrierIndex(index)));
            else Send(new ReadIndexResponse(Id, read.Origin, _term, read.RequestId, index));
        }
    }

    private void DropPendingReads()
    {
        _readQueue.Clear();
        _readRounds.Clear();
        _readsPending = 0;
    }
}

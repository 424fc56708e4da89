namespace Cairn.Consensus;

// Recovery of a node that restarted without its state (an in-memory node, a wiped data directory).
//
// The danger is twofold. Its vote: it may have voted before the restart, and it no longer holds the committed entries
// its vote would have protected. Its acknowledgements: it accepts whatever term it hears first, so a deposed leader of
// an older term could count it as a replica of entries (or as a heartbeat ack) and commit or read what the newer
// leader's quorum never saw. The rules:
//  1. A recovering node never votes or campaigns, and marks every answer it sends as Recovering.
//  2. A leader counts a recovering peer in no quorum (commit, read index, check-quorum, lease); on the first such
//     answer it forgets the peer's match, and if the peer is a voter it demotes it to learner (a DemoteVoter entry).
//  3. The node asks the leader for a barrier: a read-index round confirmed by a quorum of non-recovering voters, answered
//     with the leader's last index, which is at or past every entry any leader appended before the restart.
//  4. Recovery ends once the node's commit index reaches the barrier and the configuration at its commit index makes it
//     a non-voter. It becomes a voter again only by a promotion appended after that — after its restart — which a
//     leader proposes only for a caught-up learner that is not recovering. Every candidate it can then vote for holds
//     that promotion, so no candidate of a term it voted in before the restart can win with the votes it gave then.
// Under AcceptDataLoss (a majority restarted empty: rules 2-4 cannot make progress) the operator's vote floor replaces
// them: the node's answers count again and recovery ends once it holds an entry of the new leader's term.
public sealed partial class RaftNode
{
    /// <summary>The request id of a recovering node's barrier read (rule 3); applications may not use it.</summary>
    public const ulong RecoveryBarrierRequestId = ulong.MaxValue;

    private bool _recovering;

    // Rule 3: the barrier once the leader answered it; ticks until the request is sent again (answers can be lost).
    private LogIndex? _recoveryBarrier;
    private int _barrierRetryTicks;

    /// <summary>True while this node abstains from elections because it restarted without its state.</summary>
    public bool Recovering => _recovering;

    /// <summary>
    /// Declares that this node restarted without its durable state (log, term, vote) while the cluster may hold data.
    /// It then neither votes nor campaigns, and its acknowledgements count for no quorum, until it has caught up and
    /// become a learner (see the rules at the top of this file); it is a voter again once a leader promotes it.
    /// </summary>
    public void BeginRecovery()
    {
        AssertNoReadyOutstanding();
        _recovering = true;
        _recoveryBarrier = null;
        _barrierRetryTicks = 0;
    }

    /// <summary>What this node's answers say about it (rule 1): recovering, unless the operator accepted the data loss.</summary>
    private bool AnswersAsRecovering => _recovering && _voteFloor is null;

    private void MaybeEndRecovery()
    {
        if (_voteFloor is not null)
        {
            // After AcceptDataLoss: caught up with the leader the floor allowed once it holds an entry of its term.
            if (_leader.IsNone || _log.Committed == LogIndex.Zero || _log.TermAt(_log.Committed) != _term) return;
        }
        else
        {
            if (_recoveryBarrier is not { } barrier || _log.Committed < barrier) return;
            if (_log.Committed < _configBaseIndex || MembershipAt(_log.Committed).IsVoter(Id)) return;
        }
        _recovering = false;
        _voteFloor = null;
        _recoveryBarrier = null;
    }

    /// <summary>Follower tick while recovering: the barrier request is resent an election timeout after the last one.</summary>
    private void TickRecovery()
    {
        if (_barrierRetryTicks > 0) _barrierRetryTicks--;
        RequestBarrierIfDue();
    }

    /// <summary>Rule 3: asks the known leader for a barrier, at once and then at most once per election timeout.</summary>
    private void RequestBarrierIfDue()
    {
        if (!_recovering || _voteFloor is not null || _recoveryBarrier is not null || _leader.IsNone || _role == RaftRole.Leader) return;
        if (_barrierRetryTicks > 0) return;
        _barrierRetryTicks = _config.ElectionTicks;
        Send(new ReadIndexRequest(Id, _leader, _term, RecoveryBarrierRequestId));
    }

    /// <summary>A barrier answer (rule 3). Returns false for an ordinary read answer.</summary>
    private bool TakeRecoveryBarrier(ReadIndexResponse response)
    {
        if (response.RequestId != RecoveryBarrierRequestId) return false;
        if (_recovering && _recoveryBarrier is null) _recoveryBarrier = response.ReadIndex;
        return true;
    }

    /// <summary>Leader: what a barrier read is answered with once its round is confirmed (rule 3).</summary>
    private LogIndex BarrierIndex(LogIndex readIndex) => LogIndex.Max(readIndex, _log.LastIndex);

    /// <summary>Leader: rule 2, from the Recovering flag of a peer's answer.</summary>
    private void ObservePeerRecovering(Progress progress, bool recovering)
    {
        if (progress.Recovering != recovering)
        {
            progress.Recovering = recovering;
            if (recovering) progress.ForgetMatch();
        }
        if (recovering) MaybeDemoteRecoveringVoter(progress);
    }

    /// <summary>Leader: proposes the demotion of a recovering voter when a membership change may be proposed now.</summary>
    private void MaybeDemoteRecoveringVoter(Progress progress)
    {
        if (!progress.Recovering || !_membership.IsVoter(progress.Node)) return;
        if (!_leadTransferee.IsNone || !CommittedInCurrentTerm || LastConfigIndex > _log.Committed) return;
        var demote = new MembershipChange(MembershipChangeKind.DemoteVoter, progress.Node);
        if (_membership.TryApply(demote) is { } result) AppendMembershipChange(demote, result);
    }

    /// <summary>Leader tick: retries demotions that had to wait (a pending change, a fresh term).</summary>
    private void TickDemotions()
    {
        foreach (var progress in PeersInOrder())
        {
            if (progress.Recovering && !progress.IsLearner)
            {
                MaybeDemoteRecoveringVoter(progress);
                return; // one change at a time
            }
        }
    }

    /// <summary>Whether <paramref name="voter"/>'s answers count toward this leader's quorums (rule 2).</summary>
    private bool CountsForQuorum(NodeId voter) => voter == Id || !_progress[voter].Recovering;
}

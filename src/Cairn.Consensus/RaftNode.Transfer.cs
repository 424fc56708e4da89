namespace Cairn.Consensus;

public sealed partial class RaftNode
{
    // Leader only: the voter leadership is being handed to; proposals are refused meanwhile.
    private NodeId _leadTransferee;

    /// <summary>
    /// Hands leadership to <paramref name="target"/> (§3.10): the leader stops accepting proposals, brings the target's
    /// log up to date, then sends it TimeoutNow so it campaigns at once. Aborted if not done within an election timeout.
    /// </summary>
    public TransferLeadershipResult TransferLeadership(NodeId target)
    {
        AssertNoReadyOutstanding();
        if (_role != RaftRole.Leader) return TransferLeadershipResult.NotLeader;
        if (target == Id) return TransferLeadershipResult.TargetIsSelf;
        if (!_membership.IsVoter(target)) return TransferLeadershipResult.TargetNotVoter;
        if (_leadTransferee == target) return TransferLeadershipResult.Started;

        _leadTransferee = target;
        _electionElapsed = 0; // the abort timer
        var progress = _progress[target];
        if (progress.Match == _log.LastIndex) SendTimeoutNow(target);
        else SendAppend(progress, sendIfEmpty: true);
        return TransferLeadershipResult.Started;
    }

    // Ticks during which lease reads are refused because a TimeoutNow may still make another node campaign past
    // the followers' stickiness (even if the transfer was aborted, the message may be delayed).
    private int _leaseBlockedTicks;

    private void SendTimeoutNow(NodeId target)
    {
        _leaseBlockedTicks = 2 * _config.ElectionTicks;
        Send(new TimeoutNow(Id, target, _term));
    }
}

namespace Cairn.Consensus;

public sealed partial class RaftNode
{
    // Set by AcceptDataLoss while recovering: the last log position of the survivor whose state the operator chose to
    // keep. A recovering node then votes (it still never campaigns) for a candidate whose log is at least that up to date.
    private (Term Term, LogIndex Index)? _voteFloor;

    /// <summary>
    /// The operator accepted that a majority of voters lost their state (they all restarted empty, so no leader can be
    /// elected: recovering nodes never vote). This recovering node may vote again, but only for a candidate whose log is
    /// at least as up to date as (<paramref name="lastTerm"/>, <paramref name="lastIndex"/>), the chosen survivor's
    /// last entry, so the new leader holds the survivor's state; it still does not campaign until it has caught up.
    /// Entries the lost nodes alone held are gone, and a vote this node gave before its restart may be given again
    /// (the price of continuing; see Cairn.Node's DESIGN.md). Returns false (and changes nothing) when not recovering.
    /// </summary>
    public bool AcceptDataLoss(Term lastTerm, LogIndex lastIndex)
    {
        AssertNoReadyOutstanding();
        if (!_recovering) return false;
        _voteFloor = (lastTerm, lastIndex);
        return true;
    }

    private bool MayVoteWhileRecovering(VoteRequest request) =>
        _voteFloor is { } floor
        && (request.LastLogTerm > floor.Term || (request.LastLogTerm == floor.Term && request.LastLogIndex >= floor.Index));
}

using Cairn.Consensus;

namespace Cairn.Simulation;

/// <summary>The checks about nodes that lost their state (in-memory restarts) and the root events of known bugs.</summary>
internal sealed partial class SafetyChecker
{
    /// <summary>
    /// BeginRecovery's promise: a node that restarted empty takes part in elections again only once it holds every entry
    /// committed before its restart (else its vote can elect a leader missing them, and the leader's heartbeats carry a
    /// commit past its log).
    /// </summary>
    private void CheckRecoveryEnded(SimNode node)
    {
        var commit = node.UpRaft.Status.Commit;
        if (commit >= node.CatchUpTo) return;
        Fail(
            $"{node.Id} ended its recovery (term {node.UpRaft.Term}, leader {node.UpRaft.Leader}) at commit {commit}, " +
            $"but {node.CatchUpTo} was committed before it restarted empty: it may now vote without holding those entries");
    }

    /// <summary>
    /// A node that lost its state forgot its term and vote. Any answer that lets a leader count it — an append or heartbeat
    /// acknowledgement, a granted vote — in a term below the one it had reached (or a second vote in that term) helps a
    /// deposed leader commit or confirm reads, or elects two leaders in a term: what its lost term promised it would not.
    /// </summary>
    public void BeforeAmnesicSend(SimNode node, Message message)
    {
        // Answers marked Recovering count for no quorum (RaftNode.Recovery.cs, rule 2); once recovery ended the node is a
        // learner until a promotion appended after its restart, and the end-to-end checks judge what follows.
        if (message is AppendEntriesResponse { Recovering: true } or HeartbeatResponse { Recovering: true }) return;
        if (node.StartedRecovering && !node.UpRaft.Recovering && message is not VoteResponse) return;
        var (term, vote) = node.TermBeforeAmnesia;
        var what = message switch
        {
            AppendEntriesResponse { Success: true } when message.Term < term => "acknowledges entries of a leader",
            HeartbeatResponse when message.Term < term => "answers the heartbeat of a leader",
            VoteResponse { Granted: true, PreVote: false } when message.Term < term || (message.Term == term && !vote.IsNone && vote != message.To) =>
                "grants its vote",
            _ => null,
        };
        if (what is null) return;
        var text = $"t={cluster.Now}: {node.Id} restarted empty{(node.StartedRecovering ? " (through BeginRecovery)" : " as a fresh voter")} and {what} " +
                   $"({message.To}) in term {message.Term}, but it had reached term {term}{(vote.IsNone ? "" : $" (vote {vote})")} before losing its state";
        Fail(text[(text.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
    }
}

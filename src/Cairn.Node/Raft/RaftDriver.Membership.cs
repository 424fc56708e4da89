using Cairn.Consensus;

namespace Cairn.Node.Raft;

public sealed partial class RaftDriver
{
    /// <summary>
    /// Proposes one membership change on the leader and completes with the change's log index once it is applied on
    /// this node. Fails with <see cref="ServiceUnavailableException"/> when this node is not the leader, another change
    /// is still uncommitted, or leadership moved before it committed; with <see cref="ArgumentException"/> when the
    /// change makes no sense for the current membership (adding a member twice, removing an unknown node).
    /// </summary>
    public Task<LogIndex> ProposeMembershipChangeAsync(MembershipChange change)
    {
        var pending = new PendingChange(change);
        if (!_inputs.Writer.TryWrite(new Input.Change(pending)))
            throw new ServiceUnavailableException(UnavailableReason.Overloaded, false, "the node's input queue is full; retry later");
        return pending.Result.Task;
    }

    /// <summary>The transport lost frames to <paramref name="peer"/>: the leader probes it again instead of pipelining.</summary>
    public void ReportUnreachable(NodeId peer) => _inputs.Writer.TryWrite(new Input.Unreachable(peer));

    private void ProposeChange(PendingChange pending)
    {
        var result = _raft.ProposeMembershipChange(pending.Change);
        if (result.Accepted)
        {
            pending.Term = _raft.Term;
            _changes[result.FirstIndex.Value] = pending;
            return;
        }
        pending.Result.TrySetException(result.Reason switch
        {
            DropReason.InvalidMembershipChange => new ArgumentException(
                $"the change {pending.Change.Kind} {pending.Change.Node} does not apply to the membership {_raft.Membership}"),
            DropReason.MembershipChangePending => new ServiceUnavailableException(UnavailableReason.NotReady, false,
                "another membership change is not committed yet; retry shortly"),
            _ => Dropped(result.Reason, result.LeaderHint, mayHaveApplied: false),
        });
    }

    private void ChangeApplied(Entry entry)
    {
        if (!_changes.Remove(entry.Index.Value, out var pending)) return;
        if (pending.Term == entry.Term && entry.Kind == EntryKind.Membership) pending.Result.TrySetResult(entry.Index);
        else pending.Result.TrySetException(new ServiceUnavailableException(UnavailableReason.NoLeader, false,
            "leadership changed before the membership change committed; it was not applied"));
    }

    private sealed class PendingChange(MembershipChange change)
    {
        public MembershipChange Change { get; } = change;
        public Term Term { get; set; }
        public TaskCompletionSource<LogIndex> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

namespace Cairn.Consensus;

public sealed partial class RaftNode
{
    // The configuration at _configBaseIndex (bootstrap at 0, or a snapshot's), then every configuration entry in
    // the log after it, ascending. The configuration in effect is the last one: a change takes effect when appended.
    private Membership _configBase = Membership.Empty;
    private LogIndex _configBaseIndex;
    private readonly List<(LogIndex Index, Membership Config)> _configLog = [];
    private Membership _membership = Membership.Empty;

    private LogIndex LastConfigIndex => _configLog.Count > 0 ? _configLog[^1].Index : _configBaseIndex;

    /// <summary>
    /// Proposes one single-server change. Safe because consecutive configurations differ by one server (their
    /// majorities overlap), given the known fixes: only one change may be uncommitted at a time, and a leader first
    /// commits an entry of its own term (so a change of a deposed leader cannot be committed under the new one).
    /// </summary>
    public ProposeResult ProposeMembershipChange(MembershipChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        AssertNoReadyOutstanding();
        if (_role != RaftRole.Leader) return ProposeResult.Dropped(_leader.IsNone ? DropReason.NoLeader : DropReason.NotLeader, _leader);
        if (!_leadTransferee.IsNone) return ProposeResult.Dropped(DropReason.TransferInProgress, Id);
        if (!CommittedInCurrentTerm) return ProposeResult.Dropped(DropReason.LeaderNotReady, Id);
        if (LastConfigIndex > _log.Committed) return ProposeResult.Dropped(DropReason.MembershipChangePending, Id);
        var result = _membership.TryApply(change);
        if (result is null) return ProposeResult.Dropped(DropReason.InvalidMembershipChange, Id);
        // A learner that restarted without its state is promoted only once it has caught up (RaftNode.Recovery.cs).
        if (change.Kind is MembershipChangeKind.PromoteLearner or MembershipChangeKind.AddVoter
            && _progress.TryGetValue(change.Node, out var peer) && peer.Recovering)
        {
            return ProposeResult.Dropped(DropReason.InvalidMembershipChange, Id);
        }

        var index = AppendMembershipChange(change, result);
        return ProposeResult.Ok(index, index);
    }

    /// <summary>Leader: appends one configuration entry (in effect at once) and returns its index.</summary>
    private LogIndex AppendMembershipChange(MembershipChange change, Membership result)
    {
        var index = _log.LastIndex.Next;
        AppendAsLeader([new Entry(_term, index, EntryKind.Membership, MembershipCodec.Encode(new MembershipEntry(change, result)))]);
        return index;
    }

    private void InitializeMembership(SnapshotMeta? snapshot, Membership bootstrap)
    {
        _configBase = snapshot?.Membership ?? bootstrap;
        _configBaseIndex = snapshot?.Index ?? LogIndex.Zero;
        _configLog.Clear();
        // One bounded pass over the persisted log after the base (restart only).
        var from = LogIndex.Max(_configBaseIndex.Next, _logStore.FirstIndex);
        var end = _logStore.LastIndex.Next;
        while (from < end)
        {
            var page = _logStore.GetEntries(from, end, _config.MessageBytesMax);
            foreach (var e in page)
            {
                if (e.Kind == EntryKind.Membership) _configLog.Add((e.Index, MembershipCodec.DecodeEntry(e.Data.Span).Result));
            }
            from = page[^1].Index.Next;
        }
        _membership = _configLog.Count > 0 ? _configLog[^1].Config : _configBase;
    }

    /// <summary>Tracks configuration entries as they enter the log, including reverting ones a truncation removed.</summary>
    private void OnEntriesAppended(IReadOnlyList<Entry> entries)
    {
        var first = entries[0].Index;
        var changed = false;
        while (_configLog.Count > 0 && _configLog[^1].Index >= first)
        {
            _configLog.RemoveAt(_configLog.Count - 1);
            changed = true;
        }
        foreach (var e in entries)
        {
            if (e.Kind != EntryKind.Membership) continue;
            _configLog.Add((e.Index, MembershipCodec.DecodeEntry(e.Data.Span).Result));
            changed = true;
        }
        if (changed) SetMembership(_configLog.Count > 0 ? _configLog[^1].Config : _configBase);
    }

    /// <summary>The configuration in effect at <paramref name="index"/> (index ≥ the configuration base).</summary>
    private Membership MembershipAt(LogIndex index)
    {
        if (index < _configBaseIndex) Invariant.Fail($"no configuration is known below the log's base ({index} < {_configBaseIndex}, applied {_log.Applied}, commit {_log.Committed}, pending {_log.PendingSnapshot?.Meta.Index})");
        for (var i = _configLog.Count - 1; i >= 0; i--)
        {
            if (_configLog[i].Index <= index) return _configLog[i].Config;
        }
        return _configBase;
    }

    /// <summary>The log was compacted (or replaced) up to <paramref name="index"/>: fold older configurations into the base.</summary>
    private void RebaseMembership(LogIndex index, Membership atIndex)
    {
        _configBase = atIndex;
        _configBaseIndex = index;
        _configLog.RemoveAll(c => c.Index <= index);
        SetMembership(_configLog.Count > 0 ? _configLog[^1].Config : _configBase);
    }

    private void SetMembership(Membership next)
    {
        if (next.Equals(_membership)) return;
        _membership = next;
        if (_role != RaftRole.Leader) return;
        SyncProgressWithMembership();
        if (!_leadTransferee.IsNone && !_membership.IsVoter(_leadTransferee)) _leadTransferee = NodeId.None;
    }

    /// <summary>Leader: one Progress per other member, learners flagged; removed members forgotten.</summary>
    private void SyncProgressWithMembership()
    {
        foreach (var member in _membership.Members)
        {
            if (member == Id) continue;
            if (_progress.TryGetValue(member, out var existing))
            {
                existing.IsLearner = _membership.IsLearner(member);
                continue;
            }
            _progress[member] = new Progress(member, _membership.IsLearner(member), _log.LastIndex.Next, _config.InflightMessagesMax);
        }
        var removed = _progress.Keys.Where(k => !_membership.Contains(k)).ToList();
        foreach (var k in removed) _progress.Remove(k);
    }

    /// <summary>A leader that removed itself keeps leading until the removal commits (it must replicate it), then steps down.</summary>
    private void StepDownIfRemoved()
    {
        if (_role == RaftRole.Leader && !_membership.IsVoter(Id) && LastConfigIndex <= _log.Committed)
            BecomeFollower(_term, NodeId.None);
    }
}

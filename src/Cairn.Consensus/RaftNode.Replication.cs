namespace Cairn.Consensus;

public sealed partial class RaftNode
{
    // Leader only: one Progress per other member. Looked up by id; iterated only through PeersInOrder.
    private readonly Dictionary<NodeId, Progress> _progress = [];

    // Bytes of entries appended by this leader and not yet applied; bounds the proposal queue.
    private long _uncommittedBytes;

    // Scratch space for the commit computation (one slot per voter), reused to keep acknowledgements allocation-free.
    private LogIndex[] _matchBuffer = [];

    /// <summary>
    /// Proposes application commands. Accepted only on the leader, which appends them as consecutive entries
    /// [FirstIndex, LastIndex] of its current term; otherwise dropped with a reason (the node layer forwards).
    /// A batch larger than <see cref="RaftConfig.UncommittedBytesMax"/> is accepted when nothing else is uncommitted.
    /// </summary>
    public ProposeResult Propose(IReadOnlyList<ReadOnlyMemory<byte>> payloads)
    {
        ArgumentNullException.ThrowIfNull(payloads);
        AssertNoReadyOutstanding();
        Invariant.Check(payloads.Count > 0, "a proposal carries at least one payload");
        if (_role != RaftRole.Leader) return ProposeResult.Dropped(_leader.IsNone ? DropReason.NoLeader : DropReason.NotLeader, _leader);
        if (!_leadTransferee.IsNone) return ProposeResult.Dropped(DropReason.TransferInProgress, Id);

        long bytes = 0;
        foreach (var p in payloads) bytes += p.Length + Entry.OverheadBytes;
        if (_uncommittedBytes > 0 && _uncommittedBytes + bytes > _config.UncommittedBytesMax)
            return ProposeResult.Dropped(DropReason.Overloaded, Id);

        var first = _log.LastIndex.Next;
        var entries = new Entry[payloads.Count];
        for (var i = 0; i < entries.Length; i++)
            entries[i] = new Entry(_term, new LogIndex(first.Value + (ulong)i), EntryKind.Normal, payloads[i]);
        AppendAsLeader(entries);
        return ProposeResult.Ok(first, entries[^1].Index);
    }

    /// <summary>The transport could not reach <paramref name="peer"/>: stop pipelining to it and probe again.</summary>
    public void ReportUnreachable(NodeId peer)
    {
        AssertNoReadyOutstanding();
        if (_role != RaftRole.Leader || !_progress.TryGetValue(peer, out var progress)) return;
        if (progress.State == ProgressState.Replicate) progress.BecomeProbe();
    }

    private IEnumerable<Progress> PeersInOrder()
    {
        foreach (var member in _membership.Members)
        {
            if (member != Id && _progress.TryGetValue(member, out var progress)) yield return progress;
        }
    }

    private void AppendAsLeader(IReadOnlyList<Entry> entries)
    {
        _log.AppendAtEnd(entries);
        foreach (var e in entries) _uncommittedBytes += e.SizeBytes;
        OnEntriesAppended(entries);
        BroadcastAppend();
    }

    private void BroadcastAppend()
    {
        foreach (var progress in PeersInOrder()) SendAppend(progress, sendIfEmpty: true);
    }

    private void BroadcastHeartbeat(ulong readContext)
    {
        foreach (var progress in PeersInOrder())
        {
            // The follower may not hold entries up to our commit yet; it can only commit what it acknowledged.
            var commit = LogIndex.Min(progress.Match, _log.Committed);
            Send(new Heartbeat(Id, progress.Node, _term, commit, readContext));
            if (commit > progress.SentCommit) progress.SentCommit = commit;
            if (progress is { State: ProgressState.Snapshot, SnapshotResendAtHeartbeat: true })
            {
                progress.SnapshotResendAtHeartbeat = false;
                SendSnapshotChunk(progress, progress.SnapshotAckedOffset);
            }
        }
    }

    /// <summary>Sends the next batch of entries to one peer, or starts a snapshot when they were compacted. True when a message was sent.</summary>
    private bool SendAppend(Progress progress, bool sendIfEmpty)
    {
        if (progress.IsPaused) return false;
        var prevIndex = progress.Next.Prev;
        var prevTerm = _log.TermAt(prevIndex);
        var entries = prevTerm is null ? null
            : _log.Slice(progress.Next, _log.LastIndex.Next, _config.MessageBytesMax, _config.EntriesPerMessageMax);
        if (prevTerm is null || entries is null) return StartSnapshot(progress);
        if (entries.Count == 0 && !sendIfEmpty) return false;

        Send(new AppendEntries(Id, progress.Node, _term, prevIndex, prevTerm.Value, _log.Committed, entries));
        progress.SentCommit = _log.Committed;
        if (entries.Count > 0 || progress.State == ProgressState.Probe)
            progress.SentEntries(entries.Count > 0 ? entries[^1].Index : prevIndex);
        return true;
    }

    private void HandleAppendEntries(AppendEntries append)
    {
        if (append.PrevLogIndex < _log.Committed)
        {
            // Everything up to our commit index already matches every leader's log.
            Send(new AppendEntriesResponse(Id, append.From, _term, true, _log.Committed, LogIndex.Zero, Term.Zero, AnswersAsRecovering));
            return;
        }
        if (_log.MatchTerm(append.PrevLogIndex, append.PrevLogTerm))
        {
            var lastNew = _log.AppendFollowing(append.PrevLogIndex, append.Entries, out var appended);
            if (appended.Count > 0) OnEntriesAppended(appended);
            _log.CommitTo(LogIndex.Min(append.LeaderCommit, lastNew));
            Send(new AppendEntriesResponse(Id, append.From, _term, true, lastNew, LogIndex.Zero, Term.Zero, AnswersAsRecovering));
            return;
        }
        // Consistency check failed. Hint the largest index whose term is ≤ the leader's PrevLogTerm: every entry
        // between it and PrevLogIndex conflicts, so the leader skips them in one round trip.
        var hint = _log.FindConflictByTerm(LogIndex.Min(append.PrevLogIndex, _log.LastIndex), append.PrevLogTerm);
        var hintTerm = _log.TermAt(hint) ?? Term.Zero;
        Send(new AppendEntriesResponse(Id, append.From, _term, false, append.PrevLogIndex, hint, hintTerm, AnswersAsRecovering));
    }

    private void HandleHeartbeat(Heartbeat heartbeat)
    {
        if (heartbeat.Commit > _log.LastIndex)
        {
            if (!_recovering) Invariant.Fail($"a heartbeat's commit {heartbeat.Commit} is past this log's end {_log.LastIndex}");
            // The leader believes this node holds entries it lost in a restart: say where its log really ends.
            Send(new AppendEntriesResponse(Id, heartbeat.From, _term, false, heartbeat.Commit, _log.LastIndex, _log.LastTerm, AnswersAsRecovering));
            return;
        }
        _log.CommitTo(heartbeat.Commit);
        Send(new HeartbeatResponse(Id, heartbeat.From, _term, heartbeat.ReadContext, AnswersAsRecovering));
    }

    private void HandleAppendResponse(Progress progress, AppendEntriesResponse response)
    {
        if (!response.Success)
        {
            var hint = response.RejectHintIndex;
            if (response.RejectHintTerm > Term.Zero) hint = _log.FindConflictByTerm(hint, response.RejectHintTerm);
            if (hint < progress.Match)
            {
                // A follower whose log matches up to Match never hints below it; this one lost entries it had
                // (a restart without its state), or the rejection is a stale duplicate. Either way probing again
                // from its hint is safe: it only stops counting acknowledgements the follower may not have.
                progress.ResetAfterLoss(hint);
                SendAppend(progress, sendIfEmpty: true);
                return;
            }
            if (progress.MaybeDecreaseTo(response.Index, hint))
            {
                if (progress.State == ProgressState.Replicate) progress.BecomeProbe();
                SendAppend(progress, sendIfEmpty: true);
            }
            return;
        }

        if (!progress.MaybeUpdate(response.Index)) return;
        switch (progress.State)
        {
            case ProgressState.Probe:
                progress.BecomeReplicate();
                break;
            case ProgressState.Snapshot when progress.Match >= progress.PendingSnapshotIndex:
                progress.SnapshotInstalled(progress.PendingSnapshotIndex);
                progress.BecomeReplicate();
                break;
            case ProgressState.Replicate:
                progress.Inflights.FreeUpTo(response.Index);
                break;
            default:
                break;
        }

        if (MaybeCommit())
        {
            if (_role != RaftRole.Leader) return; // this leader was removed and stepped down
            BroadcastAppend();
        }
        else
        {
            // Fill the window; each send either adds an inflight message or pauses a probe, so this ends.
            var sent = false;
            while (SendAppend(progress, sendIfEmpty: false)) sent = true;
            // A follower acknowledged after the commit index moved learns it now rather than at the next heartbeat.
            if (!sent && progress.SentCommit < _log.Committed) SendAppend(progress, sendIfEmpty: true);
        }
        if (progress.Node == _leadTransferee && progress.Match == _log.LastIndex) SendTimeoutNow(progress.Node);
    }

    private void HandleHeartbeatResponse(Progress progress, HeartbeatResponse response)
    {
        progress.ProbeSent = false;
        // A full window that a live follower does not acknowledge is full of lost messages: let one more append out;
        // if the follower misses entries it rejects it, and the leader falls back to probing from its match.
        if (progress.State == ProgressState.Replicate && progress.Inflights.Full) progress.Inflights.FreeFirst();
        if (progress.Match < _log.LastIndex || progress.State == ProgressState.Probe) SendAppend(progress, sendIfEmpty: true);
        if (response.ReadContext != 0)
        {
            if (response.ReadContext > progress.ReadAck) progress.ReadAck = response.ReadContext;
            CompleteConfirmedReadRounds();
        }
    }

    /// <summary>
    /// Commit rule (Figure 2 and §5.4.2): the highest index replicated on a quorum of voters, only if that entry is of
    /// the current term; earlier entries are committed with it. The leader counts itself only for persisted entries.
    /// </summary>
    private bool MaybeCommit()
    {
        if (_role != RaftRole.Leader) return false;
        var voters = _membership.Voters;
        if (voters.Count == 0) return false;
        if (_matchBuffer.Length < voters.Count) _matchBuffer = new LogIndex[voters.Count];
        var matches = _matchBuffer.AsSpan(0, voters.Count);
        for (var i = 0; i < matches.Length; i++)
            matches[i] = voters[i] == Id ? _log.StableLastIndex : CountsForQuorum(voters[i]) ? _progress[voters[i]].Match : LogIndex.Zero;
        matches.Sort();
        var quorumIndex = matches[^_membership.Quorum];
        if (quorumIndex <= _log.Committed) return false;
        if (_log.TermAt(quorumIndex) != _term && !_faults.HasFlag(TestingFaults.CommitEarlierTermByCounting)) return false;
        _log.CommitTo(quorumIndex);
        StepDownIfRemoved();
        return true;
    }
}

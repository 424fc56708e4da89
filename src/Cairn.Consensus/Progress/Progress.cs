namespace Cairn.Consensus;

/// <summary>
/// A leader's replication state for one peer. Invariants: Match &lt; Next; in Replicate, Next = last sent + 1;
/// in Snapshot, PendingSnapshotIndex ≠ 0 and appends are paused.
/// </summary>
internal sealed class Progress(NodeId node, bool isLearner, LogIndex next, int inflightMax)
{
    public NodeId Node { get; } = node;
    public bool IsLearner { get; set; } = isLearner;
    public LogIndex Match { get; private set; }
    public LogIndex Next { get; private set; } = next;
    public ProgressState State { get; private set; } = ProgressState.Probe;
    public Inflights Inflights { get; } = new(inflightMax);

    /// <summary>In Probe: an append was sent and no answer or heartbeat interval has passed since.</summary>
    public bool ProbeSent { get; set; }

    /// <summary>
    /// The peer's last answer said it restarted without its state and is still catching up: it counts for no quorum
    /// (commit, read index, check-quorum, lease), and may not be promoted.
    /// </summary>
    public bool Recovering { get; set; }

    /// <summary>Heard from in the current CheckQuorum window.</summary>
    public bool RecentActive { get; set; } = true;

    public int TicksSinceContact { get; set; }

    /// <summary>Highest commit index sent to this peer (in an append or heartbeat).</summary>
    public LogIndex SentCommit { get; set; }

    /// <summary>Highest read-index context this peer acknowledged in a heartbeat response.</summary>
    public ulong ReadAck { get; set; }

    // Snapshot transfer (State == Snapshot).
    public LogIndex PendingSnapshotIndex { get; private set; }
    public long SnapshotAckedOffset { get; set; }
    public int SnapshotTicksSinceAck { get; set; }
    public bool SnapshotResendAtHeartbeat { get; set; }

    public bool IsPaused => State switch
    {
        ProgressState.Probe => ProbeSent,
        ProgressState.Replicate => Inflights.Full,
        _ => true,
    };

    /// <summary>Records an acknowledgement of everything up to <paramref name="index"/>; false when it is stale.</summary>
    public bool MaybeUpdate(LogIndex index)
    {
        var updated = false;
        if (Match < index)
        {
            Match = index;
            updated = true;
            ProbeSent = false;
        }
        if (Next <= index) Next = index.Next;
        return updated;
    }

    /// <summary>Optimistic send in Replicate: the next append starts after <paramref name="lastSent"/>.</summary>
    public void SentEntries(LogIndex lastSent)
    {
        if (State == ProgressState.Replicate)
        {
            Next = lastSent.Next;
            Inflights.Add(lastSent);
        }
        else
        {
            ProbeSent = true;
        }
    }

    /// <summary>
    /// A rejection of PrevLogIndex <paramref name="rejected"/>; <paramref name="probeHint"/> is the highest index that may
    /// match. False when the rejection is stale (an answer to an older probe or already overtaken by an ack).
    /// </summary>
    public bool MaybeDecreaseTo(LogIndex rejected, LogIndex probeHint)
    {
        if (State == ProgressState.Replicate)
        {
            if (rejected <= Match) return false;
            Next = Match.Next;
            return true;
        }
        if (Next.Prev != rejected) return false;
        var candidate = LogIndex.Min(rejected, probeHint.Next);
        Next = LogIndex.Max(candidate, Match.Next);
        ProbeSent = false;
        return true;
    }

    public void BecomeProbe()
    {
        if (State == ProgressState.Snapshot)
        {
            // After a snapshot the follower holds at least everything up to it.
            Next = LogIndex.Max(Match.Next, PendingSnapshotIndex.Next);
            PendingSnapshotIndex = LogIndex.Zero;
        }
        else
        {
            Next = Match.Next;
        }
        State = ProgressState.Probe;
        ProbeSent = false;
        Inflights.Reset();
    }

    /// <summary>
    /// The follower's log ends at <paramref name="last"/>, below what it acknowledged: it lost its state (an in-memory
    /// node restarted). Match goes back down so nothing counts entries it no longer holds, and probing starts over.
    /// </summary>
    public void ResetAfterLoss(LogIndex last)
    {
        Match = last;
        PendingSnapshotIndex = LogIndex.Zero;
        BecomeProbe();
    }

    /// <summary>
    /// The peer said it restarted empty: nothing it acknowledged before counts. Match drops to zero and probing starts
    /// again at Next (a rejection then walks back with the peer's hint, as for any lagging follower).
    /// </summary>
    public void ForgetMatch()
    {
        Match = LogIndex.Zero;
        if (State == ProgressState.Snapshot) return; // the snapshot in flight finishes, then probing resumes from it
        State = ProgressState.Probe;
        ProbeSent = false;
        Inflights.Reset();
    }

    public void BecomeReplicate()
    {
        State = ProgressState.Replicate;
        Next = Match.Next;
        ProbeSent = false;
        Inflights.Reset();
    }

    public void BecomeSnapshot(LogIndex snapshotIndex)
    {
        State = ProgressState.Snapshot;
        PendingSnapshotIndex = snapshotIndex;
        SnapshotAckedOffset = 0;
        SnapshotTicksSinceAck = 0;
        SnapshotResendAtHeartbeat = false;
        ProbeSent = false;
        Inflights.Reset();
    }

    /// <summary>The follower confirmed it holds everything up to the snapshot.</summary>
    public void SnapshotInstalled(LogIndex snapshotIndex)
    {
        if (Match < snapshotIndex) Match = snapshotIndex;
        BecomeProbe();
    }

    public PeerProgress ToStatus() => new(Node, IsLearner, Match, Next, State, Inflights.Count, TicksSinceContact, PendingSnapshotIndex, SnapshotAckedOffset, Recovering);
}

namespace Cairn.Consensus;

/// <summary>How a leader replicates to one peer.</summary>
public enum ProgressState : byte
{
    /// <summary>Match unknown: one append per heartbeat interval until the follower's position is found.</summary>
    Probe = 0,

    /// <summary>Position known: appends are pipelined up to <see cref="RaftConfig.InflightMessagesMax"/>.</summary>
    Replicate = 1,

    /// <summary>The follower needs entries the leader compacted: a snapshot is being sent in chunks.</summary>
    Snapshot = 2,
}

/// <summary>A leader's view of one peer.</summary>
/// <param name="TicksSinceContact">Ticks since the leader last received any message from this peer.</param>
/// <param name="Recovering">The peer restarted without its state and is catching up; it counts for no quorum.</param>
public sealed record PeerProgress(NodeId Node, bool IsLearner, LogIndex Match, LogIndex Next, ProgressState State, int Inflight,
    int TicksSinceContact, LogIndex PendingSnapshotIndex, long SnapshotOffset, bool Recovering = false);

/// <summary>A point-in-time copy of a node's state, for status pages and tests.</summary>
public sealed record RaftStatus(
    NodeId Id,
    RaftRole Role,
    Term Term,
    NodeId Vote,
    NodeId Leader,
    LogIndex Commit,
    LogIndex Applied,
    LogIndex FirstIndex,
    LogIndex LastIndex,
    LogIndex SnapshotIndex,
    Membership Membership,
    NodeId LeadTransferee,
    IReadOnlyList<PeerProgress> Progress);

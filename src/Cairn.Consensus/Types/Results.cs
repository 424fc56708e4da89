namespace Cairn.Consensus;

/// <summary>Why a proposal, read or membership change was not accepted. Operating errors, never exceptions.</summary>
public enum DropReason : byte
{
    None = 0,

    /// <summary>This node is not the leader; <c>LeaderHint</c> names the leader it knows of.</summary>
    NotLeader = 1,

    /// <summary>No leader is known (election in progress, or partitioned).</summary>
    NoLeader = 2,

    /// <summary>A leadership transfer is under way; retry on the new leader.</summary>
    TransferInProgress = 3,

    /// <summary>A membership change is appended but not yet committed (one change at a time).</summary>
    MembershipChangePending = 4,

    /// <summary>Uncommitted bytes are over <see cref="RaftConfig.UncommittedBytesMax"/>, or too many reads wait.</summary>
    Overloaded = 5,

    /// <summary>The leader has not yet committed an entry of its own term (membership changes must wait).</summary>
    LeaderNotReady = 6,

    /// <summary>The membership change does not apply to the current configuration.</summary>
    InvalidMembershipChange = 7,
}

/// <summary>The outcome of a proposal: accepted at [FirstIndex, LastIndex], or dropped with a reason.</summary>
public readonly record struct ProposeResult(bool Accepted, LogIndex FirstIndex, LogIndex LastIndex, DropReason Reason, NodeId LeaderHint)
{
    public static ProposeResult Ok(LogIndex first, LogIndex last) => new(true, first, last, DropReason.None, NodeId.None);
    public static ProposeResult Dropped(DropReason reason, NodeId leaderHint = default) => new(false, default, default, reason, leaderHint);
}

/// <summary>The outcome of <see cref="RaftNode.ReadIndex"/>: accepted (a <see cref="ReadState"/> will follow, unless leadership is lost) or dropped.</summary>
public readonly record struct ReadIndexResult(bool Accepted, DropReason Reason, NodeId LeaderHint)
{
    public static ReadIndexResult Ok() => new(true, DropReason.None, NodeId.None);
    public static ReadIndexResult Dropped(DropReason reason, NodeId leaderHint = default) => new(false, reason, leaderHint);
}

/// <summary>The outcome of <see cref="RaftNode.TransferLeadership"/>.</summary>
public enum TransferLeadershipResult : byte
{
    /// <summary>The leader is catching the target up and will send it TimeoutNow.</summary>
    Started = 0,
    NotLeader = 1,
    TargetIsSelf = 2,
    TargetNotVoter = 3,
}

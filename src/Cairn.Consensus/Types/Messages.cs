namespace Cairn.Consensus;

/// <summary>Every message kind on the wire. Values are stable: a transport codec may write them as bytes.</summary>
public enum MessageKind : byte
{
    PreVoteRequest = 1,
    PreVoteResponse = 2,
    VoteRequest = 3,
    VoteResponse = 4,
    AppendEntries = 5,
    AppendEntriesResponse = 6,
    Heartbeat = 7,
    HeartbeatResponse = 8,
    ReadIndexRequest = 9,
    ReadIndexResponse = 10,
    TimeoutNow = 11,
    InstallSnapshot = 12,
    InstallSnapshotResponse = 13,
}

/// <summary>
/// A message between two nodes. Plain data (ids, primitives, memory, entry lists, a membership) so that a
/// transport codec can be written by hand; <see cref="Kind"/> is derived from the concrete type.
/// </summary>
public abstract record Message(NodeId From, NodeId To, Term Term)
{
    public abstract MessageKind Kind { get; }
}

/// <summary>(Pre)vote request. A pre-vote carries the term the candidate would campaign in, without having entered it.</summary>
/// <param name="Transfer">Sent because of TimeoutNow: receivers skip the leader-lease check.</param>
public sealed record VoteRequest(NodeId From, NodeId To, Term Term, LogIndex LastLogIndex, Term LastLogTerm, bool PreVote, bool Transfer)
    : Message(From, To, Term)
{
    public override MessageKind Kind => PreVote ? MessageKind.PreVoteRequest : MessageKind.VoteRequest;
}

/// <summary>(Pre)vote response. A granted pre-vote echoes the requested term; a rejection carries the voter's term.</summary>
public sealed record VoteResponse(NodeId From, NodeId To, Term Term, bool PreVote, bool Granted) : Message(From, To, Term)
{
    public override MessageKind Kind => PreVote ? MessageKind.PreVoteResponse : MessageKind.VoteResponse;
}

/// <summary>Replicates entries after (PrevLogIndex, PrevLogTerm); an empty list only carries the commit index.</summary>
public sealed record AppendEntries(NodeId From, NodeId To, Term Term, LogIndex PrevLogIndex, Term PrevLogTerm, LogIndex LeaderCommit, IReadOnlyList<Entry> Entries)
    : Message(From, To, Term)
{
    public override MessageKind Kind => MessageKind.AppendEntries;
}

/// <summary>
/// Answer to <see cref="AppendEntries"/>. On success <paramref name="Index"/> is the last index known to match the leader.
/// On rejection it is the rejected PrevLogIndex, and the hint names the follower's largest index at or below it whose
/// term is ≤ the leader's PrevLogTerm (with that term), so the leader can skip a whole conflicting term per round trip.
/// <paramref name="Recovering"/>: the sender restarted without its state and has not caught up yet
/// (<see cref="RaftNode.BeginRecovery"/>); its acknowledgements count for no quorum.
/// </summary>
public sealed record AppendEntriesResponse(NodeId From, NodeId To, Term Term, bool Success, LogIndex Index, LogIndex RejectHintIndex, Term RejectHintTerm,
    bool Recovering = false)
    : Message(From, To, Term)
{
    public override MessageKind Kind => MessageKind.AppendEntriesResponse;
}

/// <summary>Leader liveness. Commit is min(follower's match, leader commit); ReadContext ≠ 0 asks for a read-index acknowledgement.</summary>
public sealed record Heartbeat(NodeId From, NodeId To, Term Term, LogIndex Commit, ulong ReadContext) : Message(From, To, Term)
{
    public override MessageKind Kind => MessageKind.Heartbeat;
}

/// <summary>Answer to <see cref="Heartbeat"/>, echoing its ReadContext; <paramref name="Recovering"/> as in <see cref="AppendEntriesResponse"/>.</summary>
public sealed record HeartbeatResponse(NodeId From, NodeId To, Term Term, ulong ReadContext, bool Recovering = false) : Message(From, To, Term)
{
    public override MessageKind Kind => MessageKind.HeartbeatResponse;
}

/// <summary>A follower forwards a read to its leader; RequestId is the follower's own id for it.</summary>
public sealed record ReadIndexRequest(NodeId From, NodeId To, Term Term, ulong RequestId) : Message(From, To, Term)
{
    public override MessageKind Kind => MessageKind.ReadIndexRequest;
}

/// <summary>The leader's confirmed read index for a forwarded read.</summary>
public sealed record ReadIndexResponse(NodeId From, NodeId To, Term Term, ulong RequestId, LogIndex ReadIndex) : Message(From, To, Term)
{
    public override MessageKind Kind => MessageKind.ReadIndexResponse;
}

/// <summary>Leadership transfer: the receiver campaigns at once, skipping pre-vote.</summary>
public sealed record TimeoutNow(NodeId From, NodeId To, Term Term) : Message(From, To, Term)
{
    public override MessageKind Kind => MessageKind.TimeoutNow;
}

/// <summary>
/// One chunk of a snapshot, at byte <paramref name="Offset"/> of <paramref name="TotalBytes"/>. Every chunk repeats the
/// snapshot's meta so that any chunk identifies the snapshot it belongs to.
/// </summary>
public sealed record InstallSnapshot(NodeId From, NodeId To, Term Term, LogIndex SnapshotIndex, Term SnapshotTerm, Membership Membership,
    long TotalBytes, long Offset, ReadOnlyMemory<byte> Data) : Message(From, To, Term)
{
    public override MessageKind Kind => MessageKind.InstallSnapshot;

    /// <summary>True for the chunk that completes the snapshot.</summary>
    public bool IsLast => Offset + Data.Length == TotalBytes;
}

/// <summary>
/// Acknowledges snapshot chunks: <paramref name="NextOffset"/> is how many contiguous bytes the follower holds
/// (the leader resumes from there after a loss; 0 means start over). Done means the snapshot is installed
/// (or the follower already had everything it covers). <paramref name="Recovering"/> as in <see cref="AppendEntriesResponse"/>.
/// </summary>
public sealed record InstallSnapshotResponse(NodeId From, NodeId To, Term Term, LogIndex SnapshotIndex, long NextOffset, bool Done,
    bool Recovering = false)
    : Message(From, To, Term)
{
    public override MessageKind Kind => MessageKind.InstallSnapshotResponse;
}

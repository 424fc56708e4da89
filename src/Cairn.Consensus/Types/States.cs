namespace Cairn.Consensus;

/// <summary>A node's role. A learner, or a node outside its own configuration, stays a Follower forever.</summary>
public enum RaftRole : byte
{
    Follower = 0,
    PreCandidate = 1,
    Candidate = 2,
    Leader = 3,
}

/// <summary>
/// The state Raft requires on stable storage before a node answers anyone (Figure 2):
/// the current term, the vote cast in it, and the commit index (saved so restarts re-apply less guesswork).
/// </summary>
/// <param name="Term">Never decreases.</param>
/// <param name="Vote">At most one non-None vote per term.</param>
/// <param name="Commit">Never decreases; never exceeds the persisted log's last index.</param>
public readonly record struct HardState(Term Term, NodeId Vote, LogIndex Commit)
{
    public override string ToString() => $"term={Term} vote={Vote} commit={Commit}";
}

/// <summary>Volatile state worth reporting when it changes: who leads and what this node is.</summary>
public readonly record struct SoftState(NodeId Leader, RaftRole Role);

/// <summary>The meta of a snapshot: the last log position it covers and the configuration at that position.</summary>
public sealed record SnapshotMeta(LogIndex Index, Term Term, Membership Membership);

/// <summary>A snapshot of the application state machine at <see cref="SnapshotMeta.Index"/>. Data is opaque to consensus.</summary>
public sealed record Snapshot(SnapshotMeta Meta, ReadOnlyMemory<byte> Data);

/// <summary>A confirmed linearizable read: once applied ≥ <paramref name="Index"/>, read request <paramref name="RequestId"/> may be served locally.</summary>
public readonly record struct ReadState(ulong RequestId, LogIndex Index);

/// <summary>How a leader confirms it is still the leader before serving a read.</summary>
public enum ReadMode : byte
{
    /// <summary>ReadIndex: one heartbeat round acknowledged by a quorum (batched across waiting reads).</summary>
    Safe = 0,

    /// <summary>
    /// Serve from the leader's lease (a quorum heard within half an election timeout) without a round;
    /// relies on bounded clock drift between nodes. Requires <see cref="RaftConfig.CheckQuorum"/>.
    /// Falls back to a heartbeat round when the lease has lapsed.
    /// </summary>
    LeaseBased = 1,
}

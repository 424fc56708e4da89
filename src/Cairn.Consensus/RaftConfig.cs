namespace Cairn.Consensus;

/// <summary>
/// Switches that BREAK Raft safety on purpose. Only tests set them, to prove that the tests and the simulator
/// detect the violation each one causes. Never set in product code (the property is internal).
/// </summary>
[Flags]
internal enum TestingFaults
{
    None = 0,

    /// <summary>Commit an entry of an earlier term by counting replicas (Figure 8 bug).</summary>
    CommitEarlierTermByCounting = 1,

    /// <summary>Grant a vote to every candidate, even after voting for another in the same term.</summary>
    GrantMultipleVotesPerTerm = 2,

    /// <summary>Grant votes without the election restriction (candidate's log at least as up to date).</summary>
    SkipLogUpToDateCheck = 4,

    /// <summary>Answer a ReadIndex from the leader's commit index without a quorum round (stale reads after a partition).</summary>
    AckReadIndexWithoutQuorum = 8,
}

/// <summary>Configuration of one <see cref="RaftNode"/>. Validated by <see cref="Validate"/> (called by the node's constructor).</summary>
public sealed record RaftConfig
{
    /// <summary>This node's id; never <see cref="NodeId.None"/>.</summary>
    public required NodeId Id { get; init; }

    /// <summary>
    /// Election timeout base: a follower campaigns after a random number of ticks in [ElectionTicks, 2 × ElectionTicks)
    /// without hearing from a leader. A CheckQuorum leader steps down after ElectionTicks without a quorum.
    /// </summary>
    public int ElectionTicks { get; init; } = 10;

    /// <summary>A leader sends heartbeats every HeartbeatTicks ticks; must be smaller than ElectionTicks.</summary>
    public int HeartbeatTicks { get; init; } = 1;

    /// <summary>Ask for pre-votes before incrementing the term, so a rejoining partitioned node cannot disrupt a healthy leader.</summary>
    public bool PreVote { get; init; } = true;

    /// <summary>Leaders step down without a quorum within an election timeout; followers hearing a leader ignore vote requests.</summary>
    public bool CheckQuorum { get; init; } = true;

    /// <summary>Entries per AppendEntries message.</summary>
    public int EntriesPerMessageMax { get; init; } = 256;

    /// <summary>Entry bytes per AppendEntries message (a single larger entry is still sent alone).</summary>
    public long MessageBytesMax { get; init; } = 1 << 20;

    /// <summary>Unacknowledged AppendEntries per follower in the Replicate state.</summary>
    public int InflightMessagesMax { get; init; } = 64;

    /// <summary>Bytes of proposed but uncommitted entries a leader accepts before dropping proposals as Overloaded.</summary>
    public long UncommittedBytesMax { get; init; } = 64L << 20;

    /// <summary>Bytes per InstallSnapshot chunk.</summary>
    public int SnapshotChunkBytesMax { get; init; } = 1 << 20;

    /// <summary>Bytes of committed entries handed out per Ready (at least one entry is always handed out).</summary>
    public long CommittedBytesPerReadyMax { get; init; } = 16L << 20;

    /// <summary>Entries kept below a snapshot's index when compacting, so slightly lagging followers avoid a snapshot.</summary>
    public long SnapshotLogTailEntries { get; init; } = 1024;

    /// <summary>Read requests a leader holds while it waits for quorum confirmation or for its first commit in its term.</summary>
    public int ReadRequestsPendingMax { get; init; } = 16_384;

    /// <summary>How the leader confirms leadership for reads.</summary>
    public ReadMode ReadMode { get; init; } = ReadMode.Safe;

    /// <summary>The only source of randomness (election timeout jitter). Seed it for deterministic runs.</summary>
    public required Random Random { get; init; }

    /// <summary>
    /// Configuration for a brand-new cluster, used only when the stable store is empty (first start). Null for a node
    /// that joins an existing cluster: it starts with an empty configuration and learns it from the leader.
    /// </summary>
    public Membership? Bootstrap { get; init; }

    /// <summary>Safety-breaking switches for tests; see <see cref="TestingFaults"/>.</summary>
    internal TestingFaults Faults { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid setting.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (Id.IsNone) errors.Add("Id must not be NodeId.None");
        if (ElectionTicks < 2) errors.Add("ElectionTicks must be ≥ 2");
        if (HeartbeatTicks < 1 || HeartbeatTicks >= ElectionTicks) errors.Add("HeartbeatTicks must be in [1, ElectionTicks)");
        if (EntriesPerMessageMax < 1) errors.Add("EntriesPerMessageMax must be ≥ 1");
        if (MessageBytesMax < 1) errors.Add("MessageBytesMax must be ≥ 1");
        if (InflightMessagesMax < 1) errors.Add("InflightMessagesMax must be ≥ 1");
        if (UncommittedBytesMax < 1) errors.Add("UncommittedBytesMax must be ≥ 1");
        if (SnapshotChunkBytesMax < 1) errors.Add("SnapshotChunkBytesMax must be ≥ 1");
        if (CommittedBytesPerReadyMax < 1) errors.Add("CommittedBytesPerReadyMax must be ≥ 1");
        if (SnapshotLogTailEntries < 0) errors.Add("SnapshotLogTailEntries must be ≥ 0");
        if (ReadRequestsPendingMax < 1) errors.Add("ReadRequestsPendingMax must be ≥ 1");
        if (ReadMode == ReadMode.LeaseBased && !CheckQuorum) errors.Add("ReadMode.LeaseBased requires CheckQuorum");
        if (Random is null) errors.Add("Random must be set");
        if (errors.Count > 0) throw new ArgumentException("invalid RaftConfig: " + string.Join("; ", errors));
    }
}

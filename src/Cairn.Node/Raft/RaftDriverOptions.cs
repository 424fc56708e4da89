namespace Cairn.Node.Raft;

/// <summary>Timing and bounds of the Raft driver. Ticks are the consensus core's only notion of time.</summary>
public sealed record RaftDriverOptions
{
    /// <summary>Wall-clock length of one tick.</summary>
    public int TickMs { get; init; } = 20;

    /// <summary>Ticks without a leader before an election (randomized in [E, 2E) by the core).</summary>
    public int ElectionTicks { get; init; } = 10;

    public int HeartbeatTicks { get; init; } = 1;

    /// <summary>Inputs (proposals, reads, messages) waiting for the loop; beyond it callers get 503 Overloaded.</summary>
    public int InputQueueMax { get; init; } = 65_536;

    /// <summary>Most inputs handled between two Ready cycles (one group-commit batch).</summary>
    public int InputsPerCycleMax { get; init; } = 4096;

    /// <summary>Applied entries after which the driver takes a snapshot and lets the core compact its log.</summary>
    public long SnapshotEntries { get; init; } = 50_000;

    /// <summary>Applied entry bytes (<c>Entry.SizeBytes</c>) after which the driver takes a snapshot, whatever their count.</summary>
    public long SnapshotBytes { get; init; } = 64L << 20;

    /// <summary>
    /// Every this many log indexes the driver hands the store's view at exactly that index to
    /// <see cref="OnCheckpoint"/> (replica cross-check). 0 disables.
    /// </summary>
    public long CheckpointEveryEntries { get; init; }

    /// <summary>Called on the driver loop with an immutable view; must return at once (queue the work).</summary>
    public Action<Cairn.Store.StoreView>? OnCheckpoint { get; init; }

    /// <summary>TEST ONLY (breaks safety): answer a leader's writes once appended, before commit; see ClusterTestingOptions.</summary>
    public bool TestingAckBeforeCommit { get; init; }

    /// <summary>TEST ONLY: failpoints where the process kills itself, with their probability per pass; see ClusterTestingOptions.</summary>
    public IReadOnlyDictionary<string, double> TestingCrashPoints { get; init; } = new Dictionary<string, double>();
}

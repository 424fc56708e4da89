namespace Cairn.Storage;

/// <summary>When the file stores call fsync. See DESIGN.md "What each policy promises".</summary>
public enum FsyncPolicy
{
    /// <summary>
    /// Every mutating call on every store is on the device when it returns: the log fsyncs once per
    /// <c>Append</c> (one Ready = one batch = one fsync per segment written), the stable and snapshot stores fsync
    /// the file and the directory. Survives process crashes and power loss. The only policy under which Raft's
    /// safety holds when machines lose power.
    /// </summary>
    PerBatch = 0,

    /// <summary>
    /// Log appends reach the OS on every call but are fsynced only every <see cref="StorageOptions.FsyncIntervalMs"/>
    /// by a background flusher (or by <see cref="FileLogStore.Sync"/> / <see cref="FileStorage.Flush"/>); a
    /// commit-only hard-state change is written by that flusher too (after the log, so a durable commit never points
    /// past the durable log). Term and vote changes, truncations, compactions, resets and snapshots are still
    /// durable on return. A process crash loses nothing; a power loss can lose the last interval's entries and
    /// commit progress, which Raft does not tolerate on a majority at once.
    /// </summary>
    IntervalMs = 1,

    /// <summary>
    /// No fsync, ever: data reaches the OS before each call returns, so a process crash (kill -9) loses nothing,
    /// but an OS crash or power loss can lose or tear anything recent, votes included. After such a crash the
    /// node's data directory must be treated as lost. For tests and throwaway clusters.
    /// </summary>
    Never = 2,
}

/// <summary>
/// Options of the file-backed storage (<see cref="FileStorage.Open"/>). Every limit is enforced by
/// <see cref="Validate"/>, which <see cref="FileStorage.Open"/> calls.
/// </summary>
public sealed record StorageOptions
{
    /// <summary>Smallest accepted <see cref="SegmentBytes"/>: a header and a few records.</summary>
    public const long SegmentBytesMin = 256;

    /// <summary>Largest accepted <see cref="SegmentBytes"/> (256 MiB: recovery reads one segment at a time into memory).</summary>
    public const long SegmentBytesMax = 256L << 20;

    /// <summary>Largest accepted <see cref="FsyncIntervalMs"/> (one minute).</summary>
    public const int FsyncIntervalMsMax = 60_000;

    /// <summary>Largest accepted <see cref="CommitSaveIntervalMs"/> (one minute).</summary>
    public const int CommitSaveIntervalMsMax = 60_000;

    /// <summary>Largest accepted <see cref="SnapshotsKept"/>.</summary>
    public const int SnapshotsKeptMax = 100;

    /// <summary>The directory holding everything (created if missing). Layout in DESIGN.md.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>A log segment rolls over to a new file before a record would take it past this size (one record always fits).</summary>
    public long SegmentBytes { get; init; } = 64L << 20;

    public FsyncPolicy FsyncPolicy { get; init; } = FsyncPolicy.PerBatch;

    /// <summary>Period of the background flusher under <see cref="FsyncPolicy.IntervalMs"/> (ignored otherwise).</summary>
    public int FsyncIntervalMs { get; init; } = 10;

    /// <summary>
    /// Under <see cref="FsyncPolicy.PerBatch"/> and <see cref="FsyncPolicy.Never"/>: a hard-state change that only
    /// advances the commit index is written by a background timer at this period instead of on every
    /// <c>Save</c> (term, vote and bootstrap changes are still written before <c>Save</c> returns). Raft treats the
    /// commit index as volatile (a restarted node relearns it from the leader), so this costs a restart at most
    /// this much replay-from-the-leader, and saves two fsyncs and a rename on every Ready that commits something.
    /// Under <see cref="FsyncPolicy.IntervalMs"/> the flusher of <see cref="FsyncIntervalMs"/> writes it instead.
    /// </summary>
    public int CommitSaveIntervalMs { get; init; } = 1000;

    /// <summary>Snapshot files kept (the latest and older ones to fall back on when the latest is found corrupt).</summary>
    public int SnapshotsKept { get; init; } = 2;

    /// <summary>
    /// Operator switch: at start-up, a corrupt log record followed by valid ones (or a corrupt segment that is not the
    /// last) is cut off with everything after it instead of refusing to start. Entries after the damage are lost,
    /// and may have been acknowledged to the leader: use it only when the rest of the cluster holds them.
    /// Off by default. A torn tail (a partially written last record) is always truncated, without this switch.
    /// </summary>
    public bool TruncateCorruptTail { get; init; }

    /// <summary>Bytes of the most recent log entries (by <c>Entry.SizeBytes</c>) kept in memory; older ones are read from their segment.</summary>
    public long EntryCacheBytes { get; init; } = 64L << 20;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory)) throw new ArgumentException("DataDirectory must be set", nameof(DataDirectory));
        if (SegmentBytes < SegmentBytesMin || SegmentBytes > SegmentBytesMax)
            throw new ArgumentException($"SegmentBytes must be in [{SegmentBytesMin}, {SegmentBytesMax}], got {SegmentBytes}", nameof(SegmentBytes));
        if (!Enum.IsDefined(FsyncPolicy)) throw new ArgumentException($"unknown FsyncPolicy {FsyncPolicy}", nameof(FsyncPolicy));
        if (FsyncIntervalMs < 1 || FsyncIntervalMs > FsyncIntervalMsMax)
            throw new ArgumentException($"FsyncIntervalMs must be in [1, {FsyncIntervalMsMax}], got {FsyncIntervalMs}", nameof(FsyncIntervalMs));
        if (CommitSaveIntervalMs < 1 || CommitSaveIntervalMs > CommitSaveIntervalMsMax)
            throw new ArgumentException($"CommitSaveIntervalMs must be in [1, {CommitSaveIntervalMsMax}], got {CommitSaveIntervalMs}", nameof(CommitSaveIntervalMs));
        if (SnapshotsKept < 1 || SnapshotsKept > SnapshotsKeptMax)
            throw new ArgumentException($"SnapshotsKept must be in [1, {SnapshotsKeptMax}], got {SnapshotsKept}", nameof(SnapshotsKept));
        if (EntryCacheBytes < 0) throw new ArgumentException($"EntryCacheBytes must not be negative, got {EntryCacheBytes}", nameof(EntryCacheBytes));
    }
}

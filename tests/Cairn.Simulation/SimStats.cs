namespace Cairn.Simulation;

/// <summary>Counters that prove a run exercised what it claims to (elections, truncations, snapshots, membership).</summary>
internal sealed class SimStats
{
    public long LeaderChanges;
    public long AppendsRejected;
    public long LogTruncations;
    public long SnapshotsCreated;
    public long SnapshotTransfersStarted;
    public long SnapshotChunksSent;
    public long SnapshotsInstalled;
    public long MembershipChangesCommitted;
    public long RecoveringVotersDemoted;
    public long RecoveredLearnersPromoted;
    public long TransfersCompleted;
    public long CommandsApplied;
    public long Restarts;

    /// <summary>Crashes by <see cref="CrashKind"/>: process, power loss, amnesia.</summary>
    public readonly long[] CrashesByKind = new long[Enum.GetValues<CrashKind>().Length];

    /// <summary>Empty in-memory nodes whose start-up probe found no data and that started fresh.</summary>
    public long ProbesStartedFresh;
}

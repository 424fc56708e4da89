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
    public long TransfersCompleted;
    public long CommandsApplied;
    public long Restarts;
}

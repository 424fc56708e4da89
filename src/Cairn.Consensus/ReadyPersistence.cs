using Cairn.Consensus.Storage;

namespace Cairn.Consensus;

/// <summary>The persistence step of the <see cref="Ready"/> contract, in the one correct order, for any store implementation.</summary>
public static class ReadyPersistence
{
    /// <summary>
    /// Snapshot first (save, then reset the log to it: a crash in between is repaired by the node's constructor),
    /// then entries (so the commit index saved next never points past the persisted log), then hard state.
    /// </summary>
    /// <summary>
    /// True for the messages a driver may send BEFORE persisting their Ready: a leader's requests to followers
    /// (entries, heartbeats, snapshots). They promise nothing about this node's disk; the leader counts its own
    /// entries towards commit only at <see cref="RaftNode.Advance"/>, after they are persisted (thesis §10.2.1), so
    /// the leader's fsync overlaps the followers' instead of preceding it. Every other message (votes,
    /// acknowledgements, which promise durable state) must leave after the persist step.
    /// </summary>
    public static bool MaySendBeforePersist(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.Kind is MessageKind.AppendEntries or MessageKind.Heartbeat or MessageKind.InstallSnapshot;
    }

    public static void Persist(Ready ready, ILogStore log, IStableStore stable, ISnapshotStore snapshots)
    {
        ArgumentNullException.ThrowIfNull(ready);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(stable);
        ArgumentNullException.ThrowIfNull(snapshots);
        if (ready.Snapshot is { } snapshot)
        {
            snapshots.Save(snapshot);
            log.Reset(snapshot.Meta.Index, snapshot.Meta.Term);
        }
        if (ready.EntriesToPersist.Count > 0) log.Append(ready.EntriesToPersist);
        if (ready.HardState is not null || ready.BootstrapMembership is not null)
        {
            var current = stable.Load();
            var hard = ready.HardState ?? current?.HardState ?? default;
            var bootstrap = ready.BootstrapMembership ?? current?.Bootstrap ?? Membership.Empty;
            stable.Save(new StableState(hard, bootstrap));
        }
    }
}

using Microsoft.Extensions.Logging;

namespace Cairn.Storage;

public sealed partial class FileStorage
{
    /// <summary>
    /// Cross-store checks the consensus core would otherwise fail on with a bare invariant: the log must not be
    /// compacted past the latest snapshot (it is when the latest snapshot was damaged and an older one taken), and
    /// the saved commit index must lie within what the log and snapshot hold (it does not when entries were cut off).
    /// </summary>
    private void CheckConsistency()
    {
        var snapshotIndex = Snapshots.LatestMeta?.Index.Value ?? 0;
        if (Log.BaseIndex.Value > snapshotIndex)
            throw new StorageCorruptException(Snapshots.Directory, 0,
                $"the log is compacted up to {Log.BaseIndex} but the newest valid snapshot covers only up to {snapshotIndex} " +
                "(a newer snapshot was damaged or is missing); entries in between exist nowhere on this node. " +
                "Wipe the data directory and rejoin the cluster as a new member.");
        var hard = Stable.Load()?.HardState;
        var held = Math.Max(Log.LastIndex.Value, snapshotIndex);
        if (hard is { } h && h.Commit.Value > held)
        {
            if (!Options.TruncateCorruptTail)
                throw new StorageCorruptException(Stable.Path, 0,
                    $"the saved commit index {h.Commit} is past the last entry this node holds ({held}): committed entries were lost " +
                    "(torn or cut log under FsyncPolicy Never/IntervalMs, or files removed). Set TruncateCorruptTail to accept " +
                    "the loss and relearn the commit index from the leader.");
            LogCommitClamped(_logger, h.Commit.Value, held);
            Stable.ForceCommit(new LogIndex(held));
        }
    }

    private void StartFlusher(TimeProvider time)
    {
        var interval = Options.FsyncPolicy == FsyncPolicy.IntervalMs ? Options.FsyncIntervalMs : Options.CommitSaveIntervalMs;
        var period = TimeSpan.FromMilliseconds(interval);
        _flusher = time.CreateTimer(_ => FlushInBackground(), null, period, period);
    }

    private void FlushInBackground()
    {
        try
        {
            if (Options.FsyncPolicy == FsyncPolicy.IntervalMs) Flush();
            else SaveDeferredCommit();
        }
        catch (IOException e)
        {
            // The failure is sticky: the driver's next write throws it. Logged here because nothing else sees it now.
            LogFlushFailed(_logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "storage: the saved commit index {Commit} is past the last entry held ({Held}); lowering it because TruncateCorruptTail is set")]
    private static partial void LogCommitClamped(ILogger logger, ulong commit, ulong held);

    [LoggerMessage(Level = LogLevel.Critical, Message = "storage: background fsync failed; every further write will fail until the process restarts")]
    private static partial void LogFlushFailed(ILogger logger, Exception error);
}

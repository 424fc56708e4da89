using Cairn.Consensus.Storage;

namespace Cairn.Consensus;

public sealed partial class RaftNode
{
    // Follower: the incoming snapshot being assembled (lost with the node on a crash; the leader then starts over).
    private ISnapshotReceiver? _receiver;

    /// <summary>
    /// Records a snapshot of the state machine taken at <paramref name="appliedIndex"/> (≤ applied) and compacts the
    /// log up to that index minus <see cref="RaftConfig.SnapshotLogTailEntries"/>. Returns false (and does nothing)
    /// when a snapshot at or past that index already exists, or while a received snapshot waits to be installed
    /// (it supersedes the local state).
    /// </summary>
    public bool CreateSnapshot(LogIndex appliedIndex, ReadOnlyMemory<byte> stateMachineData)
    {
        AssertNoReadyOutstanding();
        if (SnapshotMetaFor(appliedIndex) is not { } meta) return false;
        _snapshots.Save(new Snapshot(meta, stateMachineData));

        if (appliedIndex.Value > (ulong)_config.SnapshotLogTailEntries)
        {
            var compactTo = new LogIndex(appliedIndex.Value - (ulong)_config.SnapshotLogTailEntries);
            if (compactTo > _logStore.BaseIndex)
            {
                // The configuration base may already sit above the compaction point (a restart from a snapshot
                // keeps the log's tail below it); it only moves when compaction passes it.
                var configAt = compactTo > _configBaseIndex ? MembershipAt(compactTo) : null;
                if (_log.CompactStore(compactTo) && configAt is not null) RebaseMembership(compactTo, configAt);
            }
        }
        return true;
    }

    /// <summary>
    /// The meta a snapshot of the state machine at <paramref name="appliedIndex"/> would get (term and configuration at
    /// that index), or null when <see cref="CreateSnapshot"/> would refuse it now (nothing new, a snapshot being
    /// installed). Lets a driver write the snapshot's file before handing it to CreateSnapshot. Reads only.
    /// </summary>
    public SnapshotMeta? SnapshotMetaFor(LogIndex appliedIndex)
    {
        if (appliedIndex > _log.Applied) Invariant.Fail($"a snapshot covers applied entries only ({appliedIndex} > applied {_log.Applied})");
        var latest = _snapshots.LatestMeta;
        if (appliedIndex == LogIndex.Zero || (latest is not null && appliedIndex <= latest.Index)) return null;
        if (_log.PendingSnapshot is not null) return null;
        var term = _log.TermAt(appliedIndex);
        Invariant.Check(term is not null, "the snapshot index must still be in the log");
        return new SnapshotMeta(appliedIndex, term.Value, MembershipAt(appliedIndex));
    }

    /// <summary>
    /// The transport's verdict on a snapshot chunk it tried to send. A failure makes the leader resend from the last
    /// acknowledged offset at the next heartbeat instead of waiting for the stall timeout; a success changes nothing,
    /// because the follower's acknowledgements drive the transfer.
    /// </summary>
    public void ReportSnapshotStatus(NodeId peer, bool success)
    {
        AssertNoReadyOutstanding();
        if (_role != RaftRole.Leader || !_progress.TryGetValue(peer, out var progress)) return;
        if (progress.State == ProgressState.Snapshot && !success) progress.SnapshotResendAtHeartbeat = true;
    }

    private bool StartSnapshot(Progress progress)
    {
        var meta = _snapshots.LatestMeta;
        // The follower continues after the snapshot, so its next entry must still be in our log.
        if (meta is null || meta.Index < _log.BaseIndex) return false;
        progress.BecomeSnapshot(meta.Index);
        SendSnapshotChunk(progress, 0);
        return true;
    }

    private void SendSnapshotChunk(Progress progress, long offset)
    {
        if (!_snapshots.TryReadChunk(progress.PendingSnapshotIndex, offset, _config.SnapshotChunkBytesMax, out var chunk))
        {
            // A newer snapshot replaced the one being sent: start over with it.
            var latest = _snapshots.LatestMeta;
            if (latest is null || latest.Index < _log.BaseIndex || latest.Index == progress.PendingSnapshotIndex)
            {
                progress.BecomeProbe();
                return;
            }
            progress.BecomeSnapshot(latest.Index);
            offset = 0;
            if (!_snapshots.TryReadChunk(latest.Index, 0, _config.SnapshotChunkBytesMax, out chunk)) return;
        }
        var meta = _snapshots.LatestMeta!;
        progress.SnapshotTicksSinceAck = 0;
        Send(new InstallSnapshot(Id, progress.Node, _term, meta.Index, meta.Term, meta.Membership, _snapshots.LatestSizeBytes, offset, chunk));
    }

    private void ResendStalledSnapshots()
    {
        foreach (var progress in PeersInOrder())
        {
            if (progress.State == ProgressState.Snapshot && progress.SnapshotTicksSinceAck >= _config.ElectionTicks)
                SendSnapshotChunk(progress, progress.SnapshotAckedOffset);
        }
    }

    private void HandleSnapshotResponse(Progress progress, InstallSnapshotResponse response)
    {
        if (progress.State != ProgressState.Snapshot || response.SnapshotIndex != progress.PendingSnapshotIndex) return;
        progress.SnapshotTicksSinceAck = 0;
        if (response.Done)
        {
            progress.SnapshotInstalled(response.SnapshotIndex);
            if (!MaybeCommit()) SendAppend(progress, sendIfEmpty: true);
            else if (_role == RaftRole.Leader) BroadcastAppend();
            return;
        }
        // An offset outside the snapshot cannot come from a follower holding it: start over rather than trust it.
        var offset = response.NextOffset >= 0 && response.NextOffset <= _snapshots.LatestSizeBytes ? response.NextOffset : 0;
        progress.SnapshotAckedOffset = offset;
        SendSnapshotChunk(progress, offset);
    }

    private void HandleSnapshotChunk(InstallSnapshot chunk)
    {
        if (chunk.SnapshotIndex <= _log.Committed)
        {
            // Everything it covers is already committed here; nothing to install.
            _receiver = null;
            Send(new InstallSnapshotResponse(Id, chunk.From, _term, chunk.SnapshotIndex, chunk.TotalBytes, Done: true, AnswersAsRecovering));
            return;
        }
        var meta = new SnapshotMeta(chunk.SnapshotIndex, chunk.SnapshotTerm, chunk.Membership);
        if (chunk.Offset == 0)
        {
            _receiver = _snapshots.BeginReceive(meta, chunk.TotalBytes);
            if (_receiver is null) return; // cannot hold it; the leader's stall timeout retries
        }
        else if (_receiver is null || _receiver.Meta.Index != meta.Index || _receiver.Meta.Term != meta.Term || _receiver.TotalBytes != chunk.TotalBytes)
        {
            // We hold nothing of this snapshot (restart, or a newer one): ask for it from the start.
            Send(new InstallSnapshotResponse(Id, chunk.From, _term, chunk.SnapshotIndex, 0, Done: false, AnswersAsRecovering));
            return;
        }

        if (chunk.Offset == _receiver.ReceivedBytes && chunk.Offset + chunk.Data.Length <= _receiver.TotalBytes)
            _receiver.Write(chunk.Data.Span);

        if (_receiver.ReceivedBytes < _receiver.TotalBytes)
        {
            Send(new InstallSnapshotResponse(Id, chunk.From, _term, chunk.SnapshotIndex, _receiver.ReceivedBytes, Done: false, AnswersAsRecovering));
            return;
        }
        var snapshot = _receiver.Complete();
        _receiver = null;
        InstallReceivedSnapshot(snapshot);
        Send(new InstallSnapshotResponse(Id, chunk.From, _term, chunk.SnapshotIndex, chunk.TotalBytes, Done: true, AnswersAsRecovering));
    }

    private void InstallReceivedSnapshot(Snapshot snapshot)
    {
        var meta = snapshot.Meta;
        if (_log.MatchTerm(meta.Index, meta.Term))
        {
            // Our log already contains the snapshot's last entry, hence everything before it: just commit.
            _log.CommitTo(meta.Index);
            return;
        }
        _log.Restore(snapshot);
        _configLog.Clear(); // the log after the snapshot was discarded with everything before it
        RebaseMembership(meta.Index, meta.Membership);
    }
}

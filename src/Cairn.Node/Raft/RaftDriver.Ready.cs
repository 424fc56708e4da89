using Cairn.Consensus;
using Cairn.Store;
using Cairn.Store.Codec;
using Microsoft.Extensions.Logging;

namespace Cairn.Node.Raft;

public sealed partial class RaftDriver
{
    // The Ready contract, in order: persist → send → apply → read states → Advance.
    private void HandleReady(Ready ready)
    {
        ReadyPersistence.Persist(ready, _log, _stable, _snapshots);
        if (ready.Messages.Count > 0) _sink.Send(ready.Messages);
        if (ready.Snapshot is { } snapshot) InstallSnapshot(snapshot);
        foreach (var entry in ready.CommittedEntries) Apply(entry);
        if (ready.SoftState is { } soft) LeadershipChanged(soft);
        foreach (var read in ready.ReadStates)
        {
            if (_reads.Remove(read.RequestId, out var tcs)) tcs.TrySetResult(read.Index);
        }
        _raft.Advance(ready);
        Waiters.Advance(_store.AppliedRevision);
        MaybeSnapshot();
    }

    private void Apply(Entry entry)
    {
        var index = (long)entry.Index.Value;
        if (index <= _store.AppliedRevision) return; // already in the state machine (restored from a snapshot)
        CommandResult? result = null;
        if (entry.Kind == EntryKind.Normal && entry.Data.Length > 0)
        {
            result = _store.Apply(index, CommandCodec.Decode(entry.Data.Span));
        }
        else
        {
            _store.Skip(index); // the leader's no-op or a membership entry: a revision with no change
        }
        if (_changes.Count > 0) ChangeApplied(entry);
        if (_options.CheckpointEveryEntries > 0 && index % _options.CheckpointEveryEntries == 0) _options.OnCheckpoint?.Invoke(_store.Current);
        if (_proposals.Remove(entry.Index.Value, out var pending))
        {
            if (pending.Term == entry.Term && result is not null) pending.Result.TrySetResult(result);
            else pending.Result.TrySetException(new ServiceUnavailableException(UnavailableReason.NoLeader, false,
                "leadership changed before the write committed; it was not applied"));
        }
    }

    private void InstallSnapshot(Snapshot snapshot)
    {
        using (var data = ReadOnly(snapshot.Data)) _store.InstallSnapshot(data);
        _lastSnapshotIndex = (long)snapshot.Meta.Index.Value;
        // Proposals the snapshot covers may or may not be in it: only a retry with the same request id can tell.
        foreach (var index in _proposals.Keys.Where(i => i <= snapshot.Meta.Index.Value).ToList())
        {
            _proposals.Remove(index, out var p);
            p!.Result.TrySetException(new ServiceUnavailableException(UnavailableReason.NoLeader, true,
                "the node caught up from a snapshot while the write was in flight; retry with the same X-Cairn-Request-Id"));
        }
        LogSnapshotInstalled(_logger, snapshot.Meta.Index.Value);
    }

    private void LeadershipChanged(SoftState soft)
    {
        if (soft.Leader != _lastLeader)
        {
            _lastLeader = soft.Leader;
            Interlocked.Increment(ref _leaderChanges);
        }
        // The core drops pending read rounds when leadership moves; fail them so readers retry at once.
        if (_reads.Count == 0) return;
        var error = new ServiceUnavailableException(UnavailableReason.NoLeader, false,
            $"leadership changed (now {(soft.Leader.IsNone ? "none" : soft.Leader.ToString())}) while the read was confirming it; retry");
        foreach (var r in _reads.Values) r.TrySetException(error);
        _reads.Clear();
    }

    private void MaybeSnapshot()
    {
        var applied = _store.AppliedRevision;
        if (applied - _lastSnapshotIndex < _options.SnapshotEntries) return;
        using var buffer = new MemoryStream();
        _store.Current.WriteSnapshot(buffer);
        if (_raft.CreateSnapshot(new LogIndex((ulong)applied), buffer.ToArray())) _lastSnapshotIndex = applied;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "installed a snapshot at index {Index}")]
    private static partial void LogSnapshotInstalled(ILogger logger, ulong index);
}

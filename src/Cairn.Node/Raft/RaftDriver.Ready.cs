using Cairn.Consensus;
using Cairn.Consensus.Storage;
using Cairn.Store;
using Cairn.Store.Codec;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Cairn.Node.Raft;

public sealed partial class RaftDriver
{
    // The Ready contract, in order: persist → send → apply → read states → Advance. A leader's requests to its
    // followers go before the persist step (ReadyPersistence.MaySendBeforePersist), so its fsync overlaps theirs.
    private void HandleReady(Ready ready)
    {
        var late = SendEarlyMessages(ready);
        Failpoint("append");
        var persistStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        ReadyPersistence.Persist(ready, _log, _stable, _snapshots);
        var persisted = System.Diagnostics.Stopwatch.GetElapsedTime(persistStarted);
        if (persisted.TotalMilliseconds >= SlowPersistMs) LogSlowPersist(_logger, (long)persisted.TotalMilliseconds, ready.EntriesToPersist.Count, ready.Snapshot is not null);
        Failpoint("send");
        if (late.Count > 0) _sink.Send(late);
        if (ready.Snapshot is { } snapshot) InstallSnapshot(snapshot);
        if (ready.CommittedEntries.Count > 0) Failpoint("apply");
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

    /// <summary>Sends what may leave before the persist step; returns the rest (all of it when nothing is persisted).</summary>
    private IReadOnlyList<Message> SendEarlyMessages(Ready ready)
    {
        if (!ready.MustPersist || ready.Messages.Count == 0) return ready.Messages;
        List<Message>? early = null, late = null;
        foreach (var message in ready.Messages)
        {
            if (ReadyPersistence.MaySendBeforePersist(message)) (early ??= []).Add(message);
            else (late ??= []).Add(message);
        }
        if (early is not null) _sink.Send(early);
        return late ?? (IReadOnlyList<Message>)[];
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
            if (entry.Kind == EntryKind.Membership) LogMembershipApplied(entry);
        }
        _appliedBytesSinceSnapshot += entry.SizeBytes;
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

    // A snapshot is serialized off the loop from the store's immutable view at the applied index (writes go on), and
    // its file written and synced there too when the store can (ISnapshotPreparer); handed back as an input, the core
    // saves it (a rename) and compacts its log between two Ready cycles. One at a time.
    private void MaybeSnapshot()
    {
        if (_snapshotInFlight) return;
        var view = _store.Current;
        if (view.Revision - _lastSnapshotIndex < _options.SnapshotEntries && _appliedBytesSinceSnapshot < _options.SnapshotBytes) return;
        // The meta (term and configuration at the index) is read here, on the loop, so the file can be written off it.
        if (_raft.SnapshotMetaFor(new LogIndex((ulong)view.Revision)) is not { } meta) return;
        var preparer = _snapshots as ISnapshotPreparer;
        _snapshotInFlight = true;
        _appliedBytesSinceSnapshot = 0;
        _ = Task.Run(async () =>
        {
            Input taken;
            try
            {
                using var buffer = new MemoryStream();
                view.WriteSnapshot(buffer);
                var data = buffer.ToArray();
                taken = new Input.SnapshotTaken(view.Revision, data, null, preparer?.Prepare(new Snapshot(meta, data)));
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or OutOfMemoryException)
            {
                taken = new Input.SnapshotTaken(view.Revision, [], e);
            }
            try
            {
                await _inputs.Writer.WriteAsync(taken, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
            {
                // The driver stopped: the snapshot is not needed any more.
            }
        });
    }

    private void SnapshotTaken(Input.SnapshotTaken taken)
    {
        _snapshotInFlight = false;
        if (taken.Error is { } error)
        {
            LogSnapshotFailed(_logger, taken.Index, error);
            return;
        }
        var preparer = _snapshots as ISnapshotPreparer; // a prepared snapshot comes only from such a store
        if (taken.Index <= _lastSnapshotIndex)
        {
            if (taken.Prepared is { } stale) preparer!.Discard(stale);
            return; // a snapshot from the leader already covers it
        }
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (taken.Prepared is { } prepared) preparer!.Offer(prepared);
        if (!_raft.CreateSnapshot(new LogIndex((ulong)taken.Index), taken.Data))
        {
            if (taken.Prepared is { } unused) preparer!.Discard(unused);
            return;
        }
        _lastSnapshotIndex = taken.Index;
        Failpoint("snapshot");
        LogSnapshotTaken(_logger, taken.Index, taken.Data.Length, (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "took a snapshot at index {Index} ({Bytes} bytes); saving it and compacting the log held the Raft loop {Ms} ms")]
    private static partial void LogSnapshotTaken(ILogger logger, long index, int bytes, long ms);

    /// <summary>A persist step this slow stalls every write and read of the node: worth a line in the log (etcd says "slow fdatasync").</summary>
    private const int SlowPersistMs = 500;

    [LoggerMessage(Level = LogLevel.Warning, Message = "slow disk: persisting a Raft batch ({Entries} entries, snapshot {WithSnapshot}) took {Ms} ms; every request on this node waited")]
    private static partial void LogSlowPersist(ILogger logger, long ms, int entries, bool withSnapshot);

    [LoggerMessage(Level = LogLevel.Error, Message = "taking a snapshot at index {Index} failed; the log keeps growing until the next attempt")]
    private static partial void LogSnapshotFailed(ILogger logger, long index, Exception error);

    private void LogMembershipApplied(Entry entry)
    {
        var applied = MembershipCodec.DecodeEntry(entry.Data.Span);
        var why = applied.Change.Kind == MembershipChangeKind.DemoteVoter ? " (it restarted without its state; promoted again once caught up)" : "";
        LogMembershipChange(_logger, entry.Index.Value, applied.Change.Kind.ToString(), applied.Change.Node.ToString(), applied.Result.ToString(), why);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "membership change committed at {Index}: {Kind} {Node} -> {Result}{Why}")]
    private static partial void LogMembershipChange(ILogger logger, ulong index, string kind, string node, string result, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "installed a snapshot at index {Index}")]
    private static partial void LogSnapshotInstalled(ILogger logger, ulong index);
}

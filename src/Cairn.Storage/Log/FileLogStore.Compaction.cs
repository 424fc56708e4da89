using Cairn.Consensus;

namespace Cairn.Storage.Log;

public sealed partial class FileLogStore
{
    /// <summary>
    /// Moves the base to <paramref name="upTo"/>: the base file first (durable), then the segments it covers entirely
    /// are deleted. A crash in between leaves covered segments behind; start-up deletes them.
    /// </summary>
    public void Compact(LogIndex upTo)
    {
        if (upTo <= BaseIndex || upTo > LastIndex) Invariant.Fail($"compact to {upTo} outside ({BaseIndex}, {LastIndex}]");
        ObjectDisposedException.ThrowIf(_disposed, this);
        var term = TermAt(upTo);
        lock (_durability.Gate)
        {
            _durability.ThrowIfFailed();
            try
            {
                LogBase.Write(PathOf(LogBase.FileName), upTo.Value, term.Value, _durability.SyncStructural);
                BaseIndex = upTo;
                BaseTerm = term;
                var covered = 0;
                while (covered < _segments.Count && _segments[covered].LastIndex <= upTo.Value) DeleteSegment(_segments[covered++]);
                _segments.RemoveRange(0, covered);
            }
            catch (IOException e) when (e is not StorageFailedException)
            {
                throw _durability.Fail($"compacting the log to {upTo}", e);
            }
        }
        _cache.DropThrough(upTo.Value);
    }

    /// <summary>
    /// Drops every entry and sets the base (installing a snapshot). Segments are deleted newest first and the
    /// deletions made durable before the new base is written: a crash in between leaves a prefix of the old log under
    /// the old base — a consistent, shorter log that the node's start-up repair resets again — never old entries
    /// above the new base.
    /// </summary>
    public void Reset(LogIndex index, Term term)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_durability.Gate)
        {
            _durability.ThrowIfFailed();
            try
            {
                for (var i = _segments.Count - 1; i >= 0; i--) DeleteSegment(_segments[i]);
                _segments.Clear();
                if (_durability.SyncStructural && _directoryDirty) Internal.FileSystem.SyncDirectory(_directory);
                _directoryDirty = false;
                LogBase.Write(PathOf(LogBase.FileName), index.Value, term.Value, _durability.SyncStructural);
                BaseIndex = index;
                BaseTerm = term;
                LastIndex = index;
            }
            catch (IOException e) when (e is not StorageFailedException)
            {
                throw _durability.Fail($"resetting the log to {index}", e);
            }
        }
        _cache.Reset(index.Value + 1);
    }
}

using Cairn.Consensus;
using Cairn.Storage.Internal;

namespace Cairn.Storage.Log;

public sealed partial class FileLogStore
{
    public void Append(IReadOnlyList<Entry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0) return;
        var first = entries[0].Index;
        if (first < FirstIndex || first > LastIndex.Next) Invariant.Fail($"append at {first} outside [{FirstIndex}, {LastIndex.Next}]");
        for (var i = 1; i < entries.Count; i++)
            Invariant.Check(entries[i].Index.Value == first.Value + (ulong)i, "appended entries must be contiguous");
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_durability.Gate)
        {
            _durability.ThrowIfFailed();
            try
            {
                if (first <= LastIndex) TruncateFrom(first.Value);
                var bytes = WriteRecords(entries);
                if (_durability.SyncAppends) SyncCore();
                // Counted after its fsync, so a reader that takes batches before fsyncs never sees a batch without one.
                CountAppend(entries.Count, bytes);
            }
            catch (IOException e) when (e is not StorageFailedException)
            {
                throw _durability.Fail($"appending entries {first}..{entries[^1].Index} to the log", e);
            }
        }
        foreach (var entry in entries) _cache.Add(entry);
    }

    /// <summary>fsyncs every segment written since the last sync (and the directory if files were created). Any policy.</summary>
    public void Sync()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_durability.Gate)
        {
            _durability.ThrowIfFailed();
            try
            {
                SyncCore();
            }
            catch (IOException e) when (e is not StorageFailedException)
            {
                throw _durability.Fail("fsync of the log", e);
            }
        }
    }

    /// <summary>Caller holds the gate.</summary>
    internal void SyncCore()
    {
        if (_disposed) return;
        foreach (var segment in _segments)
        {
            if (segment.Dirty) SyncSegment(segment);
        }
        if (_directoryDirty)
        {
            FileSystem.SyncDirectory(_directory);
            _directoryDirty = false;
        }
    }

    /// <summary>
    /// Discards the records at and after <paramref name="index"/>: later segments are deleted newest first and the
    /// segment holding it is cut there. Made durable before any new record is written (unless the policy is Never),
    /// so a crash can never leave new records in front of surviving old ones.
    /// </summary>
    private void TruncateFrom(ulong index)
    {
        _cache.TruncateFrom(index);
        while (_segments[^1].FirstIndex > index)
        {
            DeleteSegment(_segments[^1]);
            _segments.RemoveAt(_segments.Count - 1);
        }
        var segment = _segments[^1];
        segment.ForgetFrom(index);
        RandomAccess.SetLength(segment.Handle, segment.Length);
        LastIndex = new LogIndex(index - 1);
        if (_durability.SyncStructural)
        {
            SyncSegment(segment);
            if (_directoryDirty) FileSystem.SyncDirectory(_directory);
            _directoryDirty = false;
        }
        else
        {
            segment.Dirty = true;
        }
    }

    /// <summary>Writes the records and returns their size in bytes.</summary>
    private long WriteRecords(IReadOnlyList<Entry> entries)
    {
        long bytes = 0;
        var segment = _segments.Count > 0 ? _segments[^1] : CreateSegment(entries[0].Index.Value);
        Invariant.Check(segment.NextIndex == entries[0].Index.Value, "the last segment ends just before the appended entries");
        var used = 0;
        var pendingFrom = segment.Length;
        foreach (var entry in entries)
        {
            var size = LogRecord.SizeOf(entry);
            var end = pendingFrom + used + size;
            if (end > _options.SegmentBytes && pendingFrom + used > LogRecord.SegmentHeaderBytes)
            {
                Flush(segment, ref used);
                segment = CreateSegment(entry.Index.Value);
                pendingFrom = segment.Length;
            }
            else if (used > 0 && used + size > WriteBufferBytes)
            {
                Flush(segment, ref used);
                pendingFrom = segment.Length;
            }
            EnsureBuffer(used + size);
            LogRecord.Write(_buffer.AsSpan(used, size), entry);
            segment.Add(pendingFrom + used, entry.Term.Value);
            used += size;
            bytes += size;
        }
        Flush(segment, ref used);
        LastIndex = entries[^1].Index;
        return bytes;
    }

    // The segment's offsets already count the buffered records; Length moves once they are in the file.
    private static void FlushTo(LogSegment segment, ReadOnlySpan<byte> bytes)
    {
        RandomAccess.Write(segment.Handle, bytes, segment.Length);
        segment.Length += bytes.Length;
        segment.Dirty = true;
    }

    private void Flush(LogSegment segment, ref int used)
    {
        if (used == 0) return;
        FlushTo(segment, _buffer.AsSpan(0, used));
        used = 0;
    }

    private LogSegment CreateSegment(ulong firstIndex)
    {
        var path = PathOf(LogSegment.FileName(firstIndex));
        var handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read);
        var segment = new LogSegment(path, firstIndex, handle, 0);
        Span<byte> header = stackalloc byte[LogRecord.SegmentHeaderBytes];
        LogRecord.WriteSegmentHeader(header);
        _segments.Add(segment);
        FlushTo(segment, header);
        _directoryDirty = true;
        return segment;
    }

    private void DeleteSegment(LogSegment segment)
    {
        segment.Dispose();
        File.Delete(segment.Path);
        _directoryDirty = true;
    }

    private void EnsureBuffer(int bytes)
    {
        if (_buffer.Length >= bytes) return;
        // Resize, not reallocate: the records already serialized in front of the new one must stay (a fresh array lost
        // them, writing a hole of zeros into the segment that only a restart noticed, as corruption).
        Array.Resize(ref _buffer, Math.Max(bytes, Math.Min(_buffer.Length * 2, WriteBufferBytes)));
    }
}

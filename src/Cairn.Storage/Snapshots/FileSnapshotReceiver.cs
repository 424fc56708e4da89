using Cairn.Consensus;
using Cairn.Consensus.Storage;
using Cairn.Storage.Internal;
using Microsoft.Win32.SafeHandles;

namespace Cairn.Storage.Snapshots;

/// <summary>
/// An incoming snapshot written straight into a snapshot-format file (<c>incoming.tmp</c>), its data checksum
/// computed as chunks arrive. <see cref="Complete"/> appends the checksum, fsyncs, renames the file to
/// <c>snap-….snap.received</c> and returns the snapshot read back from it; the store's Save then only renames it.
/// Not resumable across <see cref="ISnapshotStore.BeginReceive"/> calls: a snapshot's meta does not identify its
/// bytes (two leaders may serialize the same state differently), so splicing two transfers could corrupt it.
/// Discarded (file deleted) by the next BeginReceive. Not thread-safe (driver thread).
/// </summary>
internal sealed class FileSnapshotReceiver : ISnapshotReceiver
{
    private readonly FileSnapshotStore _store;
    private readonly string _path;
    private readonly long _dataOffset;
    private SafeFileHandle? _handle;
    private uint _crc;

    public FileSnapshotReceiver(FileSnapshotStore store, string path, SnapshotMeta meta, long totalBytes)
    {
        _store = store;
        _path = path;
        Meta = meta;
        TotalBytes = totalBytes;
        var header = SnapshotFormat.EncodeHeader(meta, totalBytes);
        _handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None);
        RandomAccess.Write(_handle, header, 0);
        _dataOffset = header.Length;
    }

    public SnapshotMeta Meta { get; }

    public long TotalBytes { get; }

    public long ReceivedBytes { get; private set; }

    public void Write(ReadOnlySpan<byte> chunk)
    {
        Invariant.Check(_handle is not null, "the receiver was discarded or completed");
        Invariant.Check(ReceivedBytes + chunk.Length <= TotalBytes, "chunk runs past the snapshot's size");
        try
        {
            RandomAccess.Write(_handle, chunk, _dataOffset + ReceivedBytes);
        }
        catch (IOException e)
        {
            throw _store.Durability.Fail("writing a received snapshot chunk", e);
        }
        _crc = Crc32C.Append(_crc, chunk);
        ReceivedBytes += chunk.Length;
    }

    public Snapshot Complete()
    {
        Invariant.Check(_handle is not null, "the receiver was discarded or completed");
        Invariant.Check(ReceivedBytes == TotalBytes, "snapshot completed before all bytes arrived");
        var received = Path.Combine(Path.GetDirectoryName(_path)!, SnapshotFormat.FileName(Meta) + FileSnapshotStore.ReceivedSuffix);
        var data = new byte[TotalBytes];
        try
        {
            RandomAccess.Write(_handle, SnapshotFormat.EncodeTrailer(_crc), _dataOffset + TotalBytes);
            if (_store.Durability.SyncStructural) FileSystem.SyncFile(_handle);
            var header = new SnapshotFormat.Header(Meta, _dataOffset, TotalBytes);
            SnapshotFormat.VerifyData(_path, _handle, header, data);
            _handle.Dispose();
            _handle = null;
            File.Move(_path, received, overwrite: true);
        }
        catch (IOException e) when (e is not StorageCorruptException)
        {
            throw _store.Durability.Fail("completing a received snapshot", e);
        }
        var snapshot = new Snapshot(Meta, data);
        _store.Completed(this, snapshot, received);
        return snapshot;
    }

    /// <summary>Drops the partial file (a newer BeginReceive, or the store closing).</summary>
    public void Discard()
    {
        if (_handle is null) return;
        _handle.Dispose();
        _handle = null;
        File.Delete(_path);
    }
}

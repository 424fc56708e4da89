namespace Cairn.Consensus.Storage;

/// <summary><see cref="ISnapshotStore"/> in memory: keeps the latest snapshot and at most one incoming one. Not thread-safe.</summary>
public sealed class InMemorySnapshotStore : ISnapshotStore
{
    private Snapshot? _latest;
    private Receiver? _receiving;

    public SnapshotMeta? LatestMeta => _latest?.Meta;

    public long LatestSizeBytes => _latest?.Data.Length ?? 0;

    public Snapshot? LoadLatest() => _latest;

    public void Save(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Invariant.Check(_latest is null || snapshot.Meta.Index >= _latest.Meta.Index, "a saved snapshot must not go back in the log");
        // Copy: the caller's buffer may be pooled or reused after this returns.
        _latest = snapshot with { Data = snapshot.Data.ToArray() };
    }

    public bool TryReadChunk(LogIndex index, long offset, int bytesMax, out ReadOnlyMemory<byte> chunk)
    {
        chunk = default;
        if (_latest is null || _latest.Meta.Index != index) return false;
        var data = _latest.Data;
        Invariant.Check(offset >= 0 && offset <= data.Length && bytesMax > 0, "chunk offset outside the snapshot");
        chunk = data.Slice((int)offset, (int)Math.Min(bytesMax, data.Length - offset));
        return true;
    }

    public ISnapshotReceiver? BeginReceive(SnapshotMeta meta, long totalBytes)
    {
        ArgumentNullException.ThrowIfNull(meta);
        _receiving = null;
        if (totalBytes < 0 || totalBytes > Array.MaxLength) return null;
        _receiving = new Receiver(meta, totalBytes);
        return _receiving;
    }

    private sealed class Receiver(SnapshotMeta meta, long totalBytes) : ISnapshotReceiver
    {
        private readonly byte[] _data = new byte[totalBytes];

        public SnapshotMeta Meta { get; } = meta;
        public long TotalBytes { get; } = totalBytes;
        public long ReceivedBytes { get; private set; }

        public void Write(ReadOnlySpan<byte> chunk)
        {
            Invariant.Check(ReceivedBytes + chunk.Length <= TotalBytes, "chunk runs past the snapshot's size");
            chunk.CopyTo(_data.AsSpan((int)ReceivedBytes));
            ReceivedBytes += chunk.Length;
        }

        public Snapshot Complete()
        {
            Invariant.Check(ReceivedBytes == TotalBytes, "snapshot completed before all bytes arrived");
            return new Snapshot(Meta, _data);
        }
    }
}

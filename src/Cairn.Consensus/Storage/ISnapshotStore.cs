namespace Cairn.Consensus.Storage;

/// <summary>
/// Holds the latest snapshot of the application state machine, serves it in chunks to a leader sending it,
/// and assembles a snapshot arriving in chunks.
/// <para>Threading: not thread-safe, owned by the driver thread. Durability: when <see cref="Save"/> returns,
/// the snapshot survives a crash. A partially received snapshot need not survive a crash: a restarted node
/// answers the next chunk with offset 0 and the leader starts over.</para>
/// </summary>
public interface ISnapshotStore
{
    /// <summary>Meta of the latest saved snapshot, or null when there is none. Read often (status, snapshot sends): cache it.</summary>
    SnapshotMeta? LatestMeta { get; }

    /// <summary>Size of the latest snapshot's data (0 when there is none).</summary>
    long LatestSizeBytes { get; }

    /// <summary>The latest snapshot with its data, or null; a restarting driver restores its state machine from it.</summary>
    Snapshot? LoadLatest();

    /// <summary>Replaces the latest snapshot; the new one's index must not be lower.</summary>
    void Save(Snapshot snapshot);

    /// <summary>
    /// Up to <paramref name="bytesMax"/> bytes at <paramref name="offset"/> of the snapshot at <paramref name="index"/>.
    /// False when that snapshot is no longer the latest (the sender then starts over with the latest).
    /// </summary>
    bool TryReadChunk(LogIndex index, long offset, int bytesMax, out ReadOnlyMemory<byte> chunk);

    /// <summary>
    /// Starts assembling an incoming snapshot, discarding any partially received one. Null when a snapshot of
    /// <paramref name="totalBytes"/> cannot be held (the chunk is then ignored).
    /// </summary>
    ISnapshotReceiver? BeginReceive(SnapshotMeta meta, long totalBytes);
}

/// <summary>An incoming snapshot being assembled chunk by chunk, strictly in order.</summary>
public interface ISnapshotReceiver
{
    SnapshotMeta Meta { get; }

    long TotalBytes { get; }

    /// <summary>Contiguous bytes received so far.</summary>
    long ReceivedBytes { get; }

    /// <summary>Appends a chunk; the chunk must start at <see cref="ReceivedBytes"/> and not run past <see cref="TotalBytes"/>.</summary>
    void Write(ReadOnlySpan<byte> chunk);

    /// <summary>The assembled snapshot, once <see cref="ReceivedBytes"/> equals <see cref="TotalBytes"/>. It is not saved:
    /// the node hands it to the driver in <see cref="Ready.Snapshot"/> to persist.</summary>
    Snapshot Complete();
}

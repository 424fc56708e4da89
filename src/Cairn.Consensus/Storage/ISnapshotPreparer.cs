namespace Cairn.Consensus.Storage;

/// <summary>
/// Optional side of an <see cref="ISnapshotStore"/> whose Save is slow (a file written and synced): the driver writes
/// the snapshot it is about to save from a background thread, so the Raft loop only renames it. Prepare may run
/// concurrently with every other store call; Offer and Save run on the loop, as the store's other calls do.
/// </summary>
public interface ISnapshotPreparer
{
    /// <summary>
    /// Writes (and, as the store's policy says, syncs) <paramref name="snapshot"/> where Save would, under a temporary
    /// name, from any thread. Returns a token for <see cref="Offer"/>; the file is never read before it is offered
    /// and saved, and a leftover (crash, or a snapshot never saved) is deleted when the store opens.
    /// </summary>
    PreparedSnapshot Prepare(Snapshot snapshot);

    /// <summary>On the loop: the next Save of that same snapshot takes the prepared file instead of writing one.</summary>
    void Offer(PreparedSnapshot prepared);

    /// <summary>On the loop: the prepared snapshot will not be saved (a newer one is there already); its file goes.</summary>
    void Discard(PreparedSnapshot prepared);
}

/// <summary>A snapshot whose file <see cref="ISnapshotPreparer.Prepare"/> wrote; <see cref="Path"/> belongs to the store.</summary>
public sealed record PreparedSnapshot(Snapshot Snapshot, string Path);

namespace Cairn.Consensus.Storage;

/// <summary>
/// The persisted Raft log: entries (BaseIndex, LastIndex], after a base position that stands for everything
/// compacted into a snapshot (index 0, term 0 before any compaction).
/// <para>Threading: not thread-safe. One driver thread owns a <see cref="RaftNode"/> and its stores; the node
/// reads the log during its calls and the driver writes it while persisting a <see cref="Ready"/>.</para>
/// <para>Durability: when <see cref="Append"/>, <see cref="Compact"/> or <see cref="Reset"/> returns, the change
/// survives a crash (a durable implementation syncs before returning).</para>
/// Misuse (indexes outside the documented ranges) is a programmer error and fails an <see cref="Invariant"/>.
/// </summary>
public interface ILogStore
{
    /// <summary>Index of the last compacted entry (the snapshot base); 0 when nothing was compacted.</summary>
    LogIndex BaseIndex { get; }

    /// <summary>Term of the entry at <see cref="BaseIndex"/>; 0 when nothing was compacted.</summary>
    Term BaseTerm { get; }

    /// <summary>BaseIndex + 1: the first entry that can be read.</summary>
    LogIndex FirstIndex { get; }

    /// <summary>Index of the last entry; equals <see cref="BaseIndex"/> when the log holds no entries.</summary>
    LogIndex LastIndex { get; }

    /// <summary>Term of the entry at <paramref name="index"/>, for index in [BaseIndex, LastIndex].</summary>
    Term TermAt(LogIndex index);

    /// <summary>
    /// Entries [from, toExclusive) within [FirstIndex, LastIndex + 1), stopping before <paramref name="bytesMax"/>
    /// (by <see cref="Entry.SizeBytes"/>) is exceeded but always returning at least one entry when the range is not empty.
    /// </summary>
    IReadOnlyList<Entry> GetEntries(LogIndex from, LogIndex toExclusive, long bytesMax);

    /// <summary>
    /// Writes contiguous entries whose first index is in [FirstIndex, LastIndex + 1], first discarding every entry at
    /// or after that index (the conflicting suffix a new leader overwrote).
    /// </summary>
    void Append(IReadOnlyList<Entry> entries);

    /// <summary>Discards entries up to and including <paramref name="upTo"/> (BaseIndex &lt; upTo ≤ LastIndex), which becomes the base.</summary>
    void Compact(LogIndex upTo);

    /// <summary>Discards every entry and sets the base to a snapshot's (index, term): installing a snapshot.</summary>
    void Reset(LogIndex index, Term term);
}

namespace Cairn.Consensus;

/// <summary>
/// Everything a <see cref="RaftNode"/> needs the outside world to do, handed out by <see cref="RaftNode.GetReady"/>.
/// <para>
/// The contract (asserted in <see cref="RaftNode.Advance"/>), in this order, on the driver thread:
/// <list type="number">
/// <item>Persist: <see cref="Snapshot"/> (save it, reset the log to it), then <see cref="EntriesToPersist"/>
/// (append, replacing any suffix from their first index), then <see cref="HardState"/> together with
/// <see cref="BootstrapMembership"/>. <see cref="ReadyPersistence.Persist"/> does exactly this.</item>
/// <item>Send <see cref="Messages"/> (any order between peers; the order per peer is kept by an ordered link).
/// A vote or an append acknowledgement must never leave before the state it promises is durable.</item>
/// <item>Restore <see cref="Snapshot"/> into the state machine, then apply <see cref="CommittedEntries"/> in order
/// (or enqueue them, in order, to the single apply thread); serve <see cref="ReadStates"/> once applied ≥ their index.</item>
/// <item>Call <see cref="RaftNode.Advance"/> with this same instance. No other call into the node is allowed between
/// <see cref="RaftNode.GetReady"/> and <see cref="RaftNode.Advance"/>.</item>
/// </list>
/// </para>
/// Committed entries handed out never go past the locally persisted log, and never past the commit index.
/// </summary>
public sealed class Ready
{
    internal Ready(HardState? hardState, Membership? bootstrapMembership, SoftState? softState, IReadOnlyList<Entry> entriesToPersist,
        Snapshot? snapshot, IReadOnlyList<Message> messages, IReadOnlyList<Entry> committedEntries, IReadOnlyList<ReadState> readStates)
    {
        HardState = hardState;
        BootstrapMembership = bootstrapMembership;
        SoftState = softState;
        EntriesToPersist = entriesToPersist;
        Snapshot = snapshot;
        Messages = messages;
        CommittedEntries = committedEntries;
        ReadStates = readStates;
    }

    /// <summary>Term, vote and commit to persist; null when unchanged since the last Ready.</summary>
    public HardState? HardState { get; }

    /// <summary>
    /// Non-null only on the first Ready of a node that started with an empty stable store: the configuration it was
    /// bootstrapped with (the configuration "at index 0"). Save it with <see cref="HardState"/> in one atomic write.
    /// </summary>
    public Membership? BootstrapMembership { get; }

    /// <summary>Role or leader changed since the last Ready (volatile; for the driver's routing and status).</summary>
    public SoftState? SoftState { get; }

    /// <summary>New log entries, contiguous and ascending; their first index may be ≤ the persisted last index (truncate first).</summary>
    public IReadOnlyList<Entry> EntriesToPersist { get; }

    /// <summary>An incoming snapshot, fully received: persist it, reset the log to it, and restore the state machine from it.</summary>
    public Snapshot? Snapshot { get; }

    /// <summary>Messages to send, only after the persistence step.</summary>
    public IReadOnlyList<Message> Messages { get; }

    /// <summary>Entries to apply, contiguous, ascending, starting right after the last applied index.</summary>
    public IReadOnlyList<Entry> CommittedEntries { get; }

    /// <summary>Confirmed read indexes for reads requested on this node.</summary>
    public IReadOnlyList<ReadState> ReadStates { get; }

    /// <summary>True when the driver must write to stable storage before sending (fsync point).</summary>
    public bool MustPersist => HardState is not null || EntriesToPersist.Count > 0 || Snapshot is not null || BootstrapMembership is not null;

    public override string ToString() =>
        $"Ready(hs={HardState?.ToString() ?? "-"} soft={SoftState?.ToString() ?? "-"} persist={EntriesToPersist.Count} " +
        $"snap={Snapshot?.Meta.Index.ToString() ?? "-"} msgs={Messages.Count} commit={CommittedEntries.Count} reads={ReadStates.Count})";
}

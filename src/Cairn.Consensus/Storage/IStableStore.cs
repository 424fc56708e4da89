namespace Cairn.Consensus.Storage;

/// <summary>What a node keeps in its stable store: the hard state and the configuration it was bootstrapped with.</summary>
/// <param name="Bootstrap">The configuration at index 0 (empty for a node that joined an existing cluster).
/// The current configuration is derived from the snapshot and the log, never stored here.</param>
public sealed record StableState(HardState HardState, Membership Bootstrap);

/// <summary>
/// Small state saved atomically (both fields or neither). Threading: not thread-safe, owned by the driver thread.
/// Durability: when <see cref="Save"/> returns, the term, vote and bootstrap survive a crash. The commit index may be
/// saved later (it is volatile in Raft, relearned from the leader) but a saved one never exceeds the durable log.
/// </summary>
public interface IStableStore
{
    /// <summary>
    /// The last saved state, or null when nothing was ever saved (a brand-new node). The node calls this at
    /// construction and in every <see cref="RaftNode.Advance"/> that persisted a hard state (to check the contract),
    /// so implementations return a cached copy rather than reading storage.
    /// </summary>
    StableState? Load();

    void Save(StableState state);
}

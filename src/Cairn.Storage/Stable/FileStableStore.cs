using Cairn.Consensus;
using Cairn.Consensus.Storage;
using Cairn.Storage.Internal;

namespace Cairn.Storage.Stable;

/// <summary>
/// <see cref="IStableStore"/> in one small file (<c>stable</c>), replaced atomically on every save: write
/// <c>stable.tmp</c>, fsync, rename over <c>stable</c>, fsync the directory. A crash leaves the old or the new state,
/// never a mix; a leftover <c>stable.tmp</c> is ignored (and deleted) at open. A damaged <c>stable</c> is refused.
/// <para>Same contract checks as <see cref="InMemoryStableStore"/> (term and commit never decrease).
/// <see cref="Load"/> returns the cached state, never touching the disk.</para>
/// <para>Durability by <see cref="FsyncPolicy"/>: a change of term, vote or bootstrap is written before <see cref="Save"/>
/// returns — PerBatch: durable; IntervalMs: durable, after the log is synced; Never: written, never fsynced. A
/// commit-only change is left to the storage's timer (<see cref="FlushDeferred"/>; every
/// <see cref="StorageOptions.CommitSaveIntervalMs"/>, or the IntervalMs flusher), so a crash may bring back an older
/// commit index, which Raft tolerates (the commit index is volatile, relearned from the leader).</para>
/// <para>Threading: driver thread, plus the flusher under the durability gate.</para>
/// </summary>
public sealed class FileStableStore : IStableStore
{
    /// <summary>The file's name inside the data directory.</summary>
    public const string FileName = "stable";

    private readonly string _path;
    private readonly Durability _durability;
    private StableState? _state;
    private StableState? _written;

    private FileStableStore(string path, Durability durability, StableState? state)
    {
        _path = path;
        _durability = durability;
        _state = state;
        _written = state;
    }

    /// <summary>The stable file's path.</summary>
    public string Path => _path;

    internal static FileStableStore Open(string directory, Durability durability)
    {
        var path = System.IO.Path.Combine(directory, FileName);
        File.Delete(path + FileSystem.TempSuffix);
        var bytes = FileSystem.ReadIfExists(path);
        return new FileStableStore(path, durability, bytes is null ? null : StableFormat.Decode(path, bytes));
    }

    public StableState? Load() => _state;

    public void Save(StableState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (_state is { } old)
        {
            Invariant.Check(state.HardState.Term >= old.HardState.Term, "persisted term must not decrease");
            Invariant.Check(state.HardState.Commit >= old.HardState.Commit, "persisted commit must not decrease");
        }
        lock (_durability.Gate)
        {
            _durability.ThrowIfFailed();
            var deferrable = _written is { } w
                && w.HardState.Term == state.HardState.Term && w.HardState.Vote == state.HardState.Vote && w.Bootstrap.Equals(state.Bootstrap);
            if (!deferrable) WriteCore(state);
            _state = state;
        }
    }

    /// <summary>Writes a deferred commit-only change (IntervalMs). Caller holds the gate and has synced the log.</summary>
    internal void FlushDeferred()
    {
        if (_state is { } state && !ReferenceEquals(state, _written)) WriteCore(state);
    }

    /// <summary>
    /// Start-up only, with TruncateCorruptTail: lowers the saved commit index to what the node still holds, the one
    /// write that breaks "commit never decreases" (the commit index is volatile state in Raft, relearned from the leader).
    /// </summary>
    internal void ForceCommit(LogIndex commit)
    {
        var state = _state!;
        lock (_durability.Gate)
        {
            WriteCore(state with { HardState = state.HardState with { Commit = commit } });
            _state = _written;
        }
    }

    private void WriteCore(StableState state)
    {
        try
        {
            // A durable commit index must never point past the durable log.
            if (_durability.Policy == FsyncPolicy.IntervalMs) _durability.SyncLog?.Invoke();
            FileSystem.ReplaceAtomically(_path, StableFormat.Encode(state), _durability.SyncStructural);
            _written = state;
        }
        catch (IOException e) when (e is not StorageFailedException)
        {
            throw _durability.Fail("saving the stable state", e);
        }
    }
}

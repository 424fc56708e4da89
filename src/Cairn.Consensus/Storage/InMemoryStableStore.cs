namespace Cairn.Consensus.Storage;

/// <summary><see cref="IStableStore"/> in memory (a reference swap is atomic by construction). Not thread-safe.</summary>
public sealed class InMemoryStableStore : IStableStore
{
    private StableState? _state;

    public StableState? Load() => _state;

    public void Save(StableState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (_state is { } old)
        {
            Invariant.Check(state.HardState.Term >= old.HardState.Term, "persisted term must not decrease");
            Invariant.Check(state.HardState.Commit >= old.HardState.Commit, "persisted commit must not decrease");
        }
        _state = state;
    }
}

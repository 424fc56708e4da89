namespace Cairn.TestKit.Linearizability;

/// <summary>
/// The (linearized set, model state) configurations one key's search has already expanded.
/// Reaching one again means the same remaining operations from the same state: the subtree was
/// explored (and failed), so it is pruned. Memory is accounted so the search can stop at a
/// budget instead of exhausting the process.
/// </summary>
internal sealed class SearchCache<TState>
{
    // Per entry besides the bit words: the array header, the state reference/value, the hash
    // and the HashSet slot. An estimate; it only has to keep the budget honest to a small factor.
    private const int EntryOverheadBytes = 64;

    private readonly HashSet<Entry> _seen;
    private readonly int _entryBytes;

    public SearchCache(int operations, IEqualityComparer<TState> stateComparer)
    {
        _seen = new HashSet<Entry>(new EntryComparer(stateComparer));
        _entryBytes = EntryOverheadBytes + 8 * ((operations + 63) / 64);
    }

    public int Count => _seen.Count;

    public long ApproximateBytes => (long)_seen.Count * _entryBytes;

    /// <summary>Records the configuration; false if it was already there.</summary>
    public bool TryAdd(LinearizedSet set, TState state, int stateHash)
    {
        var hash = LinearizedSet.Mix(set.Hash, stateHash);
        // Probe with a view over the live words first, so a revisit (the pruning case) allocates
        // nothing; only a new configuration pays for a copy of the bitset.
        var probe = new Entry(null, set, state, hash);
        if (_seen.Contains(probe)) return false;
        _seen.Add(new Entry(set.CopyWords(), null, state, hash));
        return true;
    }

    private readonly struct Entry(ulong[]? words, LinearizedSet? live, TState state, int hash)
    {
        public ReadOnlySpan<ulong> Words => words ?? live!.Words;
        public TState State { get; } = state;
        public int Hash { get; } = hash;
    }

    private sealed class EntryComparer(IEqualityComparer<TState> stateComparer) : IEqualityComparer<Entry>
    {
        public bool Equals(Entry x, Entry y) =>
            x.Hash == y.Hash && x.Words.SequenceEqual(y.Words) && stateComparer.Equals(x.State, y.State);

        public int GetHashCode(Entry entry) => entry.Hash;
    }
}

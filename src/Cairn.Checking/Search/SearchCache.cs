namespace Cairn.Checking;

/// <summary>
/// The (linearized set, model state) configurations one key's search has already expanded.
/// Reaching one again means the same remaining operations from the same state: the subtree was
/// explored (and failed), so it is pruned. A set is stored as its count of leading full words
/// plus its frontier words (see <see cref="LinearizedSet"/>). Memory is accounted so the search
/// can stop at a budget instead of exhausting the process.
/// </summary>
internal sealed class SearchCache<TState>
{
    // Per entry besides the frontier words: the array header, the state, the hash, the lead
    // and the HashSet slot. An estimate; it only has to keep the budget honest to a small factor.
    private const int EntryOverheadBytes = 72;

    private readonly HashSet<Entry> _seen;

    public SearchCache(IEqualityComparer<TState> stateComparer) =>
        _seen = new HashSet<Entry>(new EntryComparer(stateComparer));

    public int Count => _seen.Count;

    public long ApproximateBytes { get; private set; }

    /// <summary>Records the configuration; false if it was already there.</summary>
    public bool TryAdd(LinearizedSet set, TState state, int stateHash)
    {
        var hash = LinearizedSet.Mix(set.Hash, stateHash);
        // Probe with a view over the live words first, so a revisit (the pruning case) allocates
        // nothing; only a new configuration pays for a copy of its frontier.
        if (_seen.Contains(new Entry(set.FullWords, null, set, state, hash))) return false;
        var frontier = set.Frontier.ToArray();
        _seen.Add(new Entry(set.FullWords, frontier, null, state, hash));
        ApproximateBytes += EntryOverheadBytes + 8L * frontier.Length;
        return true;
    }

    private readonly struct Entry(int fullWords, ulong[]? frontier, LinearizedSet? live, TState state, int hash)
    {
        public int FullWords { get; } = fullWords;
        public ReadOnlySpan<ulong> Frontier => frontier ?? live!.Frontier;
        public TState State { get; } = state;
        public int Hash { get; } = hash;
    }

    private sealed class EntryComparer(IEqualityComparer<TState> stateComparer) : IEqualityComparer<Entry>
    {
        public bool Equals(Entry x, Entry y) =>
            x.Hash == y.Hash && x.FullWords == y.FullWords && x.Frontier.SequenceEqual(y.Frontier)
            && stateComparer.Equals(x.State, y.State);

        public int GetHashCode(Entry entry) => entry.Hash;
    }
}

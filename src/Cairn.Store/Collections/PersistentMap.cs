namespace Cairn.Store.Collections;

/// <summary>
/// An immutable sorted map: a copy-on-write B+tree. Every change returns a new map that shares all
/// untouched nodes with the old one, so a published map can be read from any thread without locks
/// while the apply thread builds the next one.
/// </summary>
/// <remarks>
/// Why not <c>ImmutableSortedDictionary</c>: it cannot seek (list from a cursor, scan a key prefix,
/// walk an expiry index from its start) and it spends one object per entry. Leaves here hold up to
/// <see cref="NodeEntriesMax"/> entries in two exact-size arrays.
/// Invariants (checked by <see cref="CheckInvariants"/> in tests): keys strictly increasing in order;
/// all leaves at the same depth; every node except the root holds at least <see cref="NodeEntriesMin"/>
/// entries (children for a branch); a branch's separator i is above every key under child i and at or below every key under child i + 1.
/// </remarks>
internal sealed partial class PersistentMap<TKey, TValue>
    where TKey : notnull
{
    /// <summary>Most entries in a leaf and children in a branch. Small enough that copying a node on write is cheap.</summary>
    internal const int NodeEntriesMax = 32;
    /// <summary>A non-root node with fewer entries is merged with (or refilled from) a sibling.</summary>
    internal const int NodeEntriesMin = NodeEntriesMax / 4;
    /// <summary>Depth bound: with at least two children per branch, 2^40 entries would be needed to exceed it.</summary>
    private const int DepthMax = 40;

    private readonly Node? _root;

    private PersistentMap(IComparer<TKey> comparer, Node? root)
    {
        Comparer = comparer;
        _root = root;
    }

    public static PersistentMap<TKey, TValue> Empty(IComparer<TKey> comparer) => new(comparer, null);

    public IComparer<TKey> Comparer { get; }

    public int Count => _root?.Count ?? 0;

    public bool IsEmpty => _root is null;

    public bool TryGetValue(TKey key, out TValue value)
    {
        var node = _root;
        while (node is Branch b) node = b.Children[b.ChildIndex(key, Comparer)];
        if (node is Leaf leaf)
        {
            var i = leaf.IndexOf(key, Comparer);
            if (i >= 0)
            {
                value = leaf.Values[i];
                return true;
            }
        }
        value = default!;
        return false;
    }

    public bool ContainsKey(TKey key) => TryGetValue(key, out _);

    /// <summary>Adds or replaces. <paramref name="added"/> is false when the key existed.</summary>
    public PersistentMap<TKey, TValue> SetItem(TKey key, TValue value, out bool added)
    {
        if (_root is null)
        {
            added = true;
            return new(Comparer, new Leaf([key], [value]));
        }
        var (left, right, separator) = _root.Set(key, value, Comparer, out added);
        var root = right is null ? left : new Branch([separator!], [left, right]);
        return new(Comparer, root);
    }

    public PersistentMap<TKey, TValue> SetItem(TKey key, TValue value) => SetItem(key, value, out _);

    /// <summary>Removes the key if present; returns this map unchanged otherwise.</summary>
    public PersistentMap<TKey, TValue> Remove(TKey key, out bool removed)
    {
        removed = false;
        if (_root is null) return this;
        var root = _root.Remove(key, Comparer, ref removed);
        if (!removed) return this;
        // The root may shrink below the minimum; a branch root with one child gives way to it.
        while (root is Branch { Children.Length: 1 } only) root = only.Children[0];
        if (root is Leaf { Keys.Length: 0 }) root = null;
        return new(Comparer, root);
    }

    public PersistentMap<TKey, TValue> Remove(TKey key) => Remove(key, out _);

    /// <summary>The smallest entry, if any.</summary>
    public bool TryGetFirst(out TKey key, out TValue value)
    {
        var node = _root;
        while (node is Branch b) node = b.Children[0];
        if (node is Leaf { Keys.Length: > 0 } leaf)
        {
            key = leaf.Keys[0];
            value = leaf.Values[0];
            return true;
        }
        key = default!;
        value = default!;
        return false;
    }
}

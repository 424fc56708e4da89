namespace Cairn.Store.Collections;

internal sealed partial class PersistentMap<TKey, TValue>
{
    /// <summary>Every entry in key order.</summary>
    public IEnumerable<KeyValuePair<TKey, TValue>> All() => Scan(default, SeekMode.First);

    /// <summary>Entries with key ≥ <paramref name="start"/> in key order.</summary>
    public IEnumerable<KeyValuePair<TKey, TValue>> From(TKey start) => Scan(start, SeekMode.AtOrAfter);

    /// <summary>Entries with key &gt; <paramref name="start"/> in key order (cursor pagination).</summary>
    public IEnumerable<KeyValuePair<TKey, TValue>> After(TKey start) => Scan(start, SeekMode.After);

    private enum SeekMode { First, AtOrAfter, After }

    // An explicit stack instead of nested iterators: one allocation per scan whatever the depth.
    private IEnumerable<KeyValuePair<TKey, TValue>> Scan(TKey? start, SeekMode mode)
    {
        if (_root is null) yield break;
        var branches = new Branch[DepthMax];
        var positions = new int[DepthMax];
        var depth = 0;
        Node node = _root;
        while (node is Branch b)
        {
            var ci = mode == SeekMode.First ? 0 : b.ChildIndex(start!, Comparer);
            branches[depth] = b;
            positions[depth] = ci;
            depth++;
            node = b.Children[ci];
        }
        var leaf = (Leaf)node;
        var i = 0;
        if (mode != SeekMode.First)
        {
            i = leaf.IndexOf(start!, Comparer);
            i = i >= 0 ? (mode == SeekMode.After ? i + 1 : i) : ~i;
        }
        while (true)
        {
            for (; i < leaf.Keys.Length; i++) yield return new(leaf.Keys[i], leaf.Values[i]);
            // Climb to the first ancestor with a child to the right, then descend to its leftmost leaf.
            while (depth > 0 && positions[depth - 1] + 1 >= branches[depth - 1].Children.Length) depth--;
            if (depth == 0) yield break;
            positions[depth - 1]++;
            node = branches[depth - 1].Children[positions[depth - 1]];
            while (node is Branch b)
            {
                branches[depth] = b;
                positions[depth] = 0;
                depth++;
                node = b.Children[0];
            }
            leaf = (Leaf)node;
            i = 0;
        }
    }
}

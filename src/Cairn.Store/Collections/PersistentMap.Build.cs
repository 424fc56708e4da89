namespace Cairn.Store.Collections;

internal sealed partial class PersistentMap<TKey, TValue>
{
    /// <summary>
    /// Builds a map bottom-up from entries given in strictly increasing key order, in linear time and
    /// with full leaves (restoring a snapshot of a million items must not pay for a million inserts).
    /// </summary>
    internal sealed class SortedBuilder(IComparer<TKey> comparer)
    {
        private readonly List<Node> _leaves = [];
        private readonly List<TKey> _keys = new(NodeEntriesMax);
        private readonly List<TValue> _values = new(NodeEntriesMax);
        private TKey? _last;
        private bool _any;

        /// <summary>Appends an entry; false (and nothing added) when its key is not above the previous one.</summary>
        public bool TryAdd(TKey key, TValue value)
        {
            if (_any && comparer.Compare(_last!, key) >= 0) return false;
            _any = true;
            _last = key;
            _keys.Add(key);
            _values.Add(value);
            if (_keys.Count == NodeEntriesMax) FlushLeaf();
            return true;
        }

        public PersistentMap<TKey, TValue> Build()
        {
            if (_keys.Count > 0) FlushLeaf();
            if (_leaves.Count == 0) return Empty(comparer);
            var level = _leaves;
            RebalanceTail(level);
            while (level.Count > 1)
            {
                var next = new List<Node>(level.Count / NodeEntriesMax + 1);
                for (var start = 0; start < level.Count; start += NodeEntriesMax)
                {
                    var children = level.GetRange(start, Math.Min(NodeEntriesMax, level.Count - start)).ToArray();
                    next.Add(new Branch(SeparatorsOf(children), children));
                }
                RebalanceTail(next);
                level = next;
            }
            return new PersistentMap<TKey, TValue>(comparer, level[0]);
        }

        private void FlushLeaf()
        {
            _leaves.Add(new Leaf([.. _keys], [.. _values]));
            _keys.Clear();
            _values.Clear();
        }

        /// <summary>Only the last node of a level can be short; share with its neighbour so both meet the minimum.</summary>
        private static void RebalanceTail(List<Node> level)
        {
            var n = level.Count;
            if (n < 2 || level[n - 1].Size >= NodeEntriesMin) return;
            var (left, right, _) = Combine(level[n - 2], level[n - 1], SmallestKey(level[n - 1]));
            level[n - 2] = left;
            if (right is null) level.RemoveAt(n - 1);
            else level[n - 1] = right;
        }

        private static TKey[] SeparatorsOf(Node[] children)
        {
            var separators = new TKey[children.Length - 1];
            for (var i = 1; i < children.Length; i++) separators[i - 1] = SmallestKey(children[i]);
            return separators;
        }
    }

    private static TKey SmallestKey(Node node)
    {
        while (node is Branch b) node = b.Children[0];
        return ((Leaf)node).Keys[0];
    }

    /// <summary>Verifies the structural invariants; for tests. Throws <see cref="InvariantViolationException"/>.</summary>
    internal void CheckInvariants()
    {
        if (_root is null) return;
        var leafDepth = -1;
        var count = CheckNode(_root, 0, isRoot: true, ref leafDepth, default, hasLow: false, default, hasHigh: false);
        Invariant.Check(count == _root.Count, "subtree counts agree with the entries");
    }

    private int CheckNode(Node node, int depth, bool isRoot, ref int leafDepth, TKey? low, bool hasLow, TKey? high, bool hasHigh)
    {
        Invariant.Check(depth < DepthMax, "tree depth is bounded");
        Invariant.Check(node.Size <= NodeEntriesMax, "node within its maximum size");
        Invariant.Check(isRoot || node.Size >= NodeEntriesMin, "non-root node holds at least the minimum");
        if (node is Leaf leaf)
        {
            Invariant.Check(leaf.Keys.Length == leaf.Values.Length);
            Invariant.Check(isRoot || leaf.Keys.Length > 0);
            if (leafDepth < 0) leafDepth = depth;
            Invariant.Check(leafDepth == depth, "all leaves at the same depth");
            for (var i = 0; i < leaf.Keys.Length; i++)
            {
                var k = leaf.Keys[i];
                Invariant.Check(i == 0 || Comparer.Compare(leaf.Keys[i - 1], k) < 0, "leaf keys strictly increasing");
                Invariant.Check(!hasLow || Comparer.Compare(low!, k) <= 0, "leaf key at or above its separator");
                Invariant.Check(!hasHigh || Comparer.Compare(k, high!) < 0, "leaf key below the next separator");
            }
            return leaf.Keys.Length;
        }
        var b = (Branch)node;
        Invariant.Check(b.Children.Length >= 2 || isRoot, "a branch has two children or more");
        Invariant.Check(b.Separators.Length == b.Children.Length - 1);
        var total = 0;
        for (var i = 0; i < b.Children.Length; i++)
        {
            var childLow = i == 0 ? low : b.Separators[i - 1];
            var childHasLow = i != 0 || hasLow;
            var childHigh = i == b.Separators.Length ? high : b.Separators[i];
            var childHasHigh = i != b.Separators.Length || hasHigh;
            var c = CheckNode(b.Children[i], depth + 1, isRoot: false, ref leafDepth, childLow, childHasLow, childHigh, childHasHigh);
            Invariant.Check(c == b.Children[i].Count, "child count cached correctly");
            total += c;
        }
        return total;
    }
}

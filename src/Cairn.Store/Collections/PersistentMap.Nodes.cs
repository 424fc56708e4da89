namespace Cairn.Store.Collections;

internal sealed partial class PersistentMap<TKey, TValue>
{
    private abstract class Node
    {
        /// <summary>Entries in the whole subtree.</summary>
        public abstract int Count { get; }

        /// <summary>Entries of this node itself: keys of a leaf, children of a branch.</summary>
        public abstract int Size { get; }

        /// <summary>Copy-on-write insert; a node that overflows comes back split, with the right half's smallest key.</summary>
        public abstract (Node Left, Node? Right, TKey? Separator) Set(TKey key, TValue value, IComparer<TKey> comparer, out bool added);

        /// <summary>Copy-on-write removal; the result may be below the minimum size (the parent rebalances).</summary>
        public abstract Node Remove(TKey key, IComparer<TKey> comparer, ref bool removed);
    }

    private sealed class Leaf(TKey[] keys, TValue[] values) : Node
    {
        public readonly TKey[] Keys = keys;
        public readonly TValue[] Values = values;

        public override int Count => Keys.Length;
        public override int Size => Keys.Length;

        /// <summary>Index of the key, or the bitwise complement of where it would be inserted.</summary>
        public int IndexOf(TKey key, IComparer<TKey> comparer)
        {
            int lo = 0, hi = Keys.Length - 1;
            while (lo <= hi)
            {
                var mid = (int)((uint)(lo + hi) >> 1);
                var c = comparer.Compare(Keys[mid], key);
                if (c == 0) return mid;
                if (c < 0) lo = mid + 1;
                else hi = mid - 1;
            }
            return ~lo;
        }

        public override (Node Left, Node? Right, TKey? Separator) Set(TKey key, TValue value, IComparer<TKey> comparer, out bool added)
        {
            var i = IndexOf(key, comparer);
            if (i >= 0)
            {
                added = false;
                var values = (TValue[])Values.Clone();
                values[i] = value;
                return (new Leaf(Keys, values), null, default);
            }
            added = true;
            i = ~i;
            var n = Keys.Length + 1;
            if (n <= NodeEntriesMax)
            {
                return (new Leaf(Inserted(Keys, i, key), Inserted(Values, i, value)), null, default);
            }
            // Split without first building the oversized arrays.
            var allKeys = Inserted(Keys, i, key);
            var allValues = Inserted(Values, i, value);
            var half = n / 2;
            var left = new Leaf(allKeys[..half], allValues[..half]);
            var right = new Leaf(allKeys[half..], allValues[half..]);
            return (left, right, right.Keys[0]);
        }

        public override Node Remove(TKey key, IComparer<TKey> comparer, ref bool removed)
        {
            var i = IndexOf(key, comparer);
            if (i < 0) return this;
            removed = true;
            return new Leaf(Removed(Keys, i), Removed(Values, i));
        }
    }

    private sealed class Branch : Node
    {
        /// <summary>Separator i is above every key under child i and at or below every key under child i + 1 (one fewer than the children).</summary>
        public readonly TKey[] Separators;
        public readonly Node[] Children;
        private readonly int _count;

        public Branch(TKey[] separators, Node[] children)
        {
            Separators = separators;
            Children = children;
            var count = 0;
            foreach (var c in children) count += c.Count;
            _count = count;
        }

        public override int Count => _count;
        public override int Size => Children.Length;

        /// <summary>The child whose range holds the key: the number of separators at or below it.</summary>
        public int ChildIndex(TKey key, IComparer<TKey> comparer)
        {
            int lo = 0, hi = Separators.Length;
            while (lo < hi)
            {
                var mid = (int)((uint)(lo + hi) >> 1);
                if (comparer.Compare(Separators[mid], key) <= 0) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }

        public override (Node Left, Node? Right, TKey? Separator) Set(TKey key, TValue value, IComparer<TKey> comparer, out bool added)
        {
            var ci = ChildIndex(key, comparer);
            var (left, right, separator) = Children[ci].Set(key, value, comparer, out added);
            if (right is null)
            {
                var children = (Node[])Children.Clone();
                children[ci] = left;
                return (new Branch(Separators, children), null, default);
            }
            var allChildren = Inserted(Children, ci + 1, right);
            allChildren[ci] = left;
            var allSeparators = Inserted(Separators, ci, separator!);
            if (allChildren.Length <= NodeEntriesMax) return (new Branch(allSeparators, allChildren), null, default);
            return SplitBranch(allSeparators, allChildren);
        }

        public override Node Remove(TKey key, IComparer<TKey> comparer, ref bool removed)
        {
            var ci = ChildIndex(key, comparer);
            var child = Children[ci].Remove(key, comparer, ref removed);
            if (!removed) return this;
            if (child.Size >= NodeEntriesMin || Children.Length == 1)
            {
                var children = (Node[])Children.Clone();
                children[ci] = child;
                return new Branch(Separators, children);
            }
            // Rebalance with a neighbour: merge into one node, or share evenly when both do not fit in one.
            var li = ci > 0 ? ci - 1 : ci;
            var (leftNode, rightNode) = li == ci ? (child, Children[ci + 1]) : (Children[li], child);
            var (merged, second, newSeparator) = Combine(leftNode, rightNode, Separators[li]);
            if (second is null)
            {
                var children = Removed(Children, li + 1);
                children[li] = merged;
                return new Branch(Removed(Separators, li), children);
            }
            var kept = (Node[])Children.Clone();
            kept[li] = merged;
            kept[li + 1] = second;
            var separators = (TKey[])Separators.Clone();
            separators[li] = newSeparator!;
            return new Branch(separators, kept);
        }
    }

    private static (Node Left, Node? Right, TKey? Separator) SplitBranch(TKey[] separators, Node[] children)
    {
        var half = children.Length / 2;
        var left = new Branch(separators[..(half - 1)], children[..half]);
        var right = new Branch(separators[half..], children[half..]);
        return (left, right, separators[half - 1]);
    }

    /// <summary>Two adjacent siblings (same kind) as one node, or two balanced ones when they do not fit in one.</summary>
    private static (Node Left, Node? Right, TKey? Separator) Combine(Node left, Node right, TKey separator)
    {
        if (left is Leaf l && right is Leaf r)
        {
            var keys = Concat(l.Keys, r.Keys);
            var values = Concat(l.Values, r.Values);
            if (keys.Length <= NodeEntriesMax) return (new Leaf(keys, values), null, default);
            var half = keys.Length / 2;
            var second = new Leaf(keys[half..], values[half..]);
            return (new Leaf(keys[..half], values[..half]), second, second.Keys[0]);
        }
        var lb = (Branch)left;
        var rb = (Branch)right;
        var children = Concat(lb.Children, rb.Children);
        var separators = new TKey[lb.Separators.Length + 1 + rb.Separators.Length];
        lb.Separators.CopyTo(separators, 0);
        separators[lb.Separators.Length] = separator;
        rb.Separators.CopyTo(separators, lb.Separators.Length + 1);
        if (children.Length <= NodeEntriesMax) return (new Branch(separators, children), null, default);
        return SplitBranch(separators, children);
    }

    private static T[] Inserted<T>(T[] source, int index, T item)
    {
        var result = new T[source.Length + 1];
        Array.Copy(source, 0, result, 0, index);
        result[index] = item;
        Array.Copy(source, index, result, index + 1, source.Length - index);
        return result;
    }

    private static T[] Removed<T>(T[] source, int index)
    {
        var result = new T[source.Length - 1];
        Array.Copy(source, 0, result, 0, index);
        Array.Copy(source, index + 1, result, index, source.Length - index - 1);
        return result;
    }

    private static T[] Concat<T>(T[] a, T[] b)
    {
        var result = new T[a.Length + b.Length];
        a.CopyTo(result, 0);
        b.CopyTo(result, a.Length);
        return result;
    }
}

using System.Numerics;

namespace Cairn.Checking;

/// <summary>
/// The set of operations linearized so far on one search path, as a bitset over operation
/// indices, with an incrementally maintained Zobrist hash (XOR of one random 64-bit word per
/// member) so hashing a set is O(1) however many operations the key has.
///
/// Operations are indexed in invocation order, so a set is almost always "everything up to
/// some point, then a sparse frontier". <see cref="FullWords"/> (leading all-ones words) and
/// <see cref="Frontier"/> (the words after them, up to the last non-zero one) let the cache
/// store only the frontier: a few words instead of n/64 for a long history.
/// </summary>
internal sealed class LinearizedSet
{
    private readonly ulong[] _words;
    private readonly ulong[] _zobrist;
    private int _highWord = -1; // the last non-zero word, -1 when empty

    public LinearizedSet(int operations)
    {
        _words = new ulong[(operations + 63) / 64];
        _zobrist = new ulong[operations];
        // Fixed seed: runs are reproducible; the values only need to be well mixed.
        var seed = 0x9E3779B97F4A7C15UL;
        for (var i = 0; i < operations; i++) _zobrist[i] = SplitMix64(ref seed);
    }

    public ulong Hash { get; private set; }

    public int Count { get; private set; }

    /// <summary>How many leading words have every bit set.</summary>
    public int FullWords { get; private set; }

    public ReadOnlySpan<ulong> Frontier => _words.AsSpan(FullWords, _highWord + 1 - FullWords);

    public bool Contains(int op) => (_words[op >> 6] & (1UL << (op & 63))) != 0;

    public void Add(int op)
    {
        Invariant.Check(!Contains(op));
        var word = op >> 6;
        _words[word] |= 1UL << (op & 63);
        Hash ^= _zobrist[op];
        Count++;
        if (word > _highWord) _highWord = word;
        while (FullWords < _words.Length && _words[FullWords] == ulong.MaxValue) FullWords++;
    }

    public void Remove(int op)
    {
        Invariant.Check(Contains(op));
        var word = op >> 6;
        _words[word] &= ~(1UL << (op & 63));
        Hash ^= _zobrist[op];
        Count--;
        if (word < FullWords) FullWords = word;
        while (_highWord >= 0 && _words[_highWord] == 0) _highWord--;
    }

    private static ulong SplitMix64(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Folds a 64-bit set hash and a state hash into the 32 bits a hash table uses.</summary>
    public static int Mix(ulong setHash, int stateHash)
    {
        var h = setHash ^ ((ulong)(uint)stateHash * 0xC2B2AE3D27D4EB4FUL);
        return (int)BitOperations.RotateLeft(h * 0x9E3779B97F4A7C15UL, 32);
    }
}

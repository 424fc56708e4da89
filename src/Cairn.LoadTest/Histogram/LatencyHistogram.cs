using System.Numerics;
using System.Runtime.CompilerServices;

namespace Cairn.LoadTest;

/// <summary>
/// A log-linear histogram of non-negative 64-bit values (Cairn records latencies in nanoseconds).
/// Values below <see cref="ExactBelow"/> get a bucket each; above, every power-of-two range
/// [2^e, 2^(e+1)) is split into <see cref="SubBucketCount"/> equal buckets. A bucket is therefore
/// never wider than 1/<see cref="SubBucketCount"/> of its lower bound, and a value read back
/// (the bucket's midpoint) is within <see cref="RelativeErrorMax"/> (1/256 ≈ 0.4 %) of any value
/// recorded in it. The minimum, maximum, count and sum are exact.
/// </summary>
/// <remarks>
/// Not thread-safe for writers: each load worker owns one and the report merges them with
/// <see cref="Add"/>. <see cref="Record"/> never allocates. A reader on another thread (the
/// progress line) may see a torn snapshot: each counter is read atomically, but not all of them
/// at the same instant, which is good enough for a once-a-second display.
/// </remarks>
public sealed partial class LatencyHistogram
{
    /// <summary>Sub-buckets per power of two: 2^7 = 128.</summary>
    public const int SubBucketBits = 7;
    public const int SubBucketCount = 1 << SubBucketBits;

    /// <summary>Values below this (2 × <see cref="SubBucketCount"/>) are counted exactly.</summary>
    public const long ExactBelow = 2L * SubBucketCount;

    /// <summary>The worst relative error of a value read back: half a bucket over the bucket's lower bound.</summary>
    public const double RelativeErrorMax = 1.0 / (2 * SubBucketCount);

    /// <summary>Largest value given its own bucket: 2^40 ns ≈ 18 minutes, far above any request timeout.
    /// Larger values land in the last bucket (the exact maximum is still kept).</summary>
    public const long TrackableValueMax = (1L << 40) - 1;

    /// <summary>Number of buckets: the index of <see cref="TrackableValueMax"/> plus one.</summary>
    public static readonly int BucketCount = BucketIndex(TrackableValueMax) + 1;

    private readonly long[] _counts = new long[BucketCount];
    private long _count;
    private long _sum;
    private long _min = long.MaxValue;
    private long _max;

    public long Count => Volatile.Read(ref _count);

    /// <summary>Sum of every recorded value (exact; saturates instead of overflowing).</summary>
    public long Sum => Volatile.Read(ref _sum);

    /// <summary>The smallest value recorded, or 0 when empty.</summary>
    public long Min => Count == 0 ? 0 : Volatile.Read(ref _min);

    /// <summary>The largest value recorded, or 0 when empty.</summary>
    public long Max => Volatile.Read(ref _max);

    public double Mean => Count == 0 ? 0 : (double)Sum / Count;

    /// <summary>Counts one value. Negative values are a programmer error; huge ones share the last bucket.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Record(long value)
    {
        if (value < 0) Invariant.Fail("a histogram value is never negative");
        var index = value > TrackableValueMax ? BucketCount - 1 : BucketIndex(value);
        _counts[index]++;
        _count++;
        _sum = value > long.MaxValue - _sum ? long.MaxValue : _sum + value;
        if (value < _min) _min = value;
        if (value > _max) _max = value;
    }

    /// <summary>
    /// The bucket of a value: itself below <see cref="ExactBelow"/>; above, the power of two
    /// picks a band of <see cref="SubBucketCount"/> buckets and the next bits pick one of them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int BucketIndex(long value)
    {
        if (value < ExactBelow) return (int)value;
        var exponent = 63 - BitOperations.LeadingZeroCount((ulong)value);
        var shift = exponent - SubBucketBits;
        return (shift << SubBucketBits) + (int)(value >> shift);
    }

    /// <summary>The smallest value that lands in bucket <paramref name="index"/>.</summary>
    public static long BucketLowest(int index)
    {
        Invariant.Check((uint)index < (uint)BucketCount);
        if (index < ExactBelow) return index;
        var shift = (index >> SubBucketBits) - 1;
        var top = (index & (SubBucketCount - 1)) + SubBucketCount;
        return (long)top << shift;
    }

    /// <summary>How many consecutive values share bucket <paramref name="index"/>.</summary>
    public static long BucketWidth(int index)
    {
        Invariant.Check((uint)index < (uint)BucketCount);
        return index < ExactBelow ? 1 : 1L << ((index >> SubBucketBits) - 1);
    }
}

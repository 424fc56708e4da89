namespace Cairn.LoadTest;

/// <summary>Percentiles, merging and interval differences.</summary>
public sealed partial class LatencyHistogram
{
    /// <summary>
    /// The value at or below which <paramref name="percentile"/> % of the recorded values fall
    /// (nearest rank), as the midpoint of its bucket clamped to the exact min and max.
    /// 0 when empty.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        Invariant.Check(percentile is >= 0 and <= 100, "a percentile is between 0 and 100");
        var total = Count;
        if (total == 0) return 0;
        // Nearest rank: the smallest value with at least ceil(p/100 × n) values at or below it.
        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * total));
        // The top rank is the maximum, which is known exactly; so is anything in the overflow bucket's place.
        if (rank >= total) return Max;
        long seen = 0;
        for (var i = 0; i < _counts.Length - 1; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return Math.Clamp(Representative(i), Min, Max);
        }
        return Max;
    }

    /// <summary>Adds every value of <paramref name="other"/> to this histogram (merging per-worker histograms).</summary>
    public void Add(LatencyHistogram other)
    {
        Invariant.Check(!ReferenceEquals(this, other), "a histogram is not merged into itself");
        var counts = other._counts;
        for (var i = 0; i < _counts.Length; i++) _counts[i] += Volatile.Read(ref counts[i]);
        var otherCount = other.Count;
        if (otherCount == 0) return;
        _count += otherCount;
        var sum = other.Sum;
        _sum = sum > long.MaxValue - _sum ? long.MaxValue : _sum + sum;
        _min = Math.Min(_min, Volatile.Read(ref other._min));
        _max = Math.Max(_max, other.Max);
    }

    /// <summary>
    /// This histogram minus an earlier snapshot of the same stream (the last progress interval).
    /// Min and max of the result are bucket bounds, not exact: the snapshot cannot say which
    /// values arrived since.
    /// </summary>
    public LatencyHistogram Minus(LatencyHistogram earlier)
    {
        var result = new LatencyHistogram();
        long lowest = long.MaxValue, highest = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            var diff = _counts[i] - earlier._counts[i];
            if (diff <= 0) continue;
            result._counts[i] = diff;
            result._count += diff;
            lowest = Math.Min(lowest, BucketLowest(i));
            highest = Math.Max(highest, BucketLowest(i) + BucketWidth(i) - 1);
        }
        result._sum = Math.Max(0, Sum - earlier.Sum);
        result._min = lowest;
        result._max = Math.Min(highest, Max);
        return result;
    }

    /// <summary>A copy (for snapshots taken while the owner keeps recording).</summary>
    public LatencyHistogram Clone()
    {
        var copy = new LatencyHistogram();
        copy.Add(this);
        return copy;
    }

    /// <summary>Forgets everything (a warm-up's values).</summary>
    public void Reset()
    {
        Array.Clear(_counts);
        _count = 0;
        _sum = 0;
        _min = long.MaxValue;
        _max = 0;
    }

    /// <summary>The (bucket lower bound, count) of every non-empty bucket, in order.</summary>
    public IEnumerable<(long Lowest, long Count)> Buckets()
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            if (_counts[i] > 0) yield return (BucketLowest(i), _counts[i]);
        }
    }

    private static long Representative(int index) => BucketLowest(index) + (BucketWidth(index) - 1) / 2;
}

using FsCheck;
using FsCheck.Fluent;

namespace Cairn.LoadTest.Tests;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void EveryValue_FallsInsideItsBucket_AndBucketsTileTheRange()
    {
        var values = new List<long>();
        for (long v = 0; v < 5000; v++) values.Add(v);
        for (var e = 12; e < 40; e++)
        {
            var p = 1L << e;
            values.AddRange([p - 1, p, p + 1, p + (p >> 1), p + p - 1]);
        }
        values.Add(LatencyHistogram.TrackableValueMax);
        foreach (var v in values)
        {
            var i = LatencyHistogram.BucketIndex(v);
            var low = LatencyHistogram.BucketLowest(i);
            var width = LatencyHistogram.BucketWidth(i);
            Assert.True(low <= v && v < low + width, $"{v} is outside bucket {i} [{low}, {low + width})");
            Assert.True(width == 1 || (double)width / low <= 1.0 / LatencyHistogram.SubBucketCount, $"bucket {i} is wider than its precision allows");
        }
        for (var i = 1; i < LatencyHistogram.BucketCount; i++)
            Assert.Equal(LatencyHistogram.BucketLowest(i - 1) + LatencyHistogram.BucketWidth(i - 1), LatencyHistogram.BucketLowest(i));
        Assert.Equal(LatencyHistogram.BucketCount - 1, LatencyHistogram.BucketIndex(LatencyHistogram.TrackableValueMax));
    }

    [Fact]
    public void SmallValues_AreCountedExactly()
    {
        var h = new LatencyHistogram();
        for (var v = 1; v <= 200; v++) h.Record(v);
        Assert.Equal(100, h.ValueAtPercentile(50));
        Assert.Equal(198, h.ValueAtPercentile(99));
        Assert.Equal(1, h.Min);
        Assert.Equal(200, h.Max);
        Assert.Equal(200, h.Count);
        Assert.Equal(100.5, h.Mean);
    }

    [Fact]
    public void UniformMicrosecondsToOneSecond_GivesKnownPercentiles_WithinStatedPrecision()
    {
        // 1 µs .. 1 s in 1 µs steps, in nanoseconds: the nearest-rank p-th percentile is p × 10^4 µs.
        var h = new LatencyHistogram();
        for (long us = 1; us <= 1_000_000; us++) h.Record(us * 1000);
        foreach (var p in new[] { 1.0, 10, 50, 90, 99, 99.9, 99.99 })
        {
            var exact = (long)Math.Ceiling(p / 100 * 1_000_000) * 1000;
            AssertWithinPrecision(exact, h.ValueAtPercentile(p), $"p{p}");
        }
        Assert.Equal(1_000_000_000, h.Max);
        Assert.Equal(1000, h.Min);
    }

    [Fact]
    public void ExponentialLatencies_GiveTheirAnalyticPercentiles()
    {
        // Deterministic quantiles of an exponential distribution with a 2 ms mean:
        // value(i) = -mean × ln(1 - (i + 0.5) / n), so the p-th percentile is -mean × ln(1 - p/100).
        const int n = 200_000;
        const double mean = 2e6;
        var h = new LatencyHistogram();
        for (var i = 0; i < n; i++) h.Record((long)(-mean * Math.Log(1 - (i + 0.5) / n)));
        foreach (var p in new[] { 50.0, 90, 99, 99.9 })
        {
            var analytic = -mean * Math.Log(1 - p / 100);
            var got = h.ValueAtPercentile(p);
            // The sample's own quantile is off the analytic one by under half a rank step; allow that plus the histogram's precision.
            Assert.True(Math.Abs(got - analytic) / analytic <= LatencyHistogram.RelativeErrorMax + 0.002,
                $"p{p}: {got} vs analytic {analytic:F0}");
        }
    }

    [Fact]
    public void Percentiles_OfAnySample_AreWithinStatedPrecision_OfTheExactNearestRank()
    {
        var sample = Gen.Choose(0, 38).SelectMany(e => Gen.Choose(0, int.MaxValue).Select(r => (1L << e) + (long)(r % (1L << e))))
            .ArrayOf().Where(a => a.Length > 0);
        Prop.ForAll(sample.ToArbitrary(), values =>
        {
            var h = new LatencyHistogram();
            foreach (var v in values) h.Record(v);
            var sorted = values.OrderBy(v => v).ToArray();
            foreach (var p in new[] { 0.0, 25, 50, 90, 99, 99.9, 100 })
            {
                var rank = Math.Max(1, (long)Math.Ceiling(p / 100 * sorted.Length));
                AssertWithinPrecision(sorted[rank - 1], h.ValueAtPercentile(p), $"p{p} of {sorted.Length} values");
            }
            Assert.Equal(sorted[^1], h.Max);
            Assert.Equal(sorted[0], h.Min);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Merging_EqualsRecordingEverythingInOne()
    {
        var random = new Random(7);
        var all = new LatencyHistogram();
        var parts = Enumerable.Range(0, 4).Select(_ => new LatencyHistogram()).ToArray();
        for (var i = 0; i < 50_000; i++)
        {
            var v = (long)(random.NextDouble() * random.NextDouble() * 1e9);
            all.Record(v);
            parts[i % 4].Record(v);
        }
        var merged = new LatencyHistogram();
        foreach (var p in parts) merged.Add(p);
        Assert.Equal(all.Count, merged.Count);
        Assert.Equal(all.Sum, merged.Sum);
        Assert.Equal(all.Min, merged.Min);
        Assert.Equal(all.Max, merged.Max);
        Assert.Equal(all.Buckets(), merged.Buckets());
        foreach (var p in new[] { 50.0, 99, 99.9 }) Assert.Equal(all.ValueAtPercentile(p), merged.ValueAtPercentile(p));
    }

    [Fact]
    public void Minus_GivesTheValuesRecordedSinceTheSnapshot()
    {
        var h = new LatencyHistogram();
        for (var i = 0; i < 1000; i++) h.Record(1_000_000);
        var snapshot = h.Clone();
        for (var i = 0; i < 100; i++) h.Record(50_000_000);
        var interval = h.Minus(snapshot);
        Assert.Equal(100, interval.Count);
        AssertWithinPrecision(50_000_000, interval.ValueAtPercentile(50), "interval median");
        Assert.Equal(100L * 50_000_000, interval.Sum);
    }

    [Fact]
    public void HugeValues_ShareTheLastBucket_ButTheMaximumStaysExact()
    {
        const long huge = long.MaxValue / 2 + 1;
        var h = new LatencyHistogram();
        h.Record(LatencyHistogram.TrackableValueMax * 4);
        h.Record(huge);
        h.Record(huge);
        Assert.Equal(huge, h.Max);
        Assert.Equal(long.MaxValue, h.Sum); // saturates instead of wrapping
        Assert.Equal(huge, h.ValueAtPercentile(100));
    }

    [Fact]
    public void NegativeValue_IsAProgrammerError()
    {
        var h = new LatencyHistogram();
        Assert.Throws<InvariantViolationException>(() => h.Record(-1));
    }

    [Fact]
    public void Record_DoesNotAllocate()
    {
        var h = new LatencyHistogram();
        h.Record(1); // first call JIT-compiles
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (long v = 0; v < 100_000; v++) h.Record(v * 977);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void EmptyHistogram_ReportsZeros()
    {
        var h = new LatencyHistogram();
        Assert.Equal(0, h.ValueAtPercentile(99));
        Assert.Equal(0, h.Min);
        Assert.Equal(0, h.Max);
        Assert.Equal(0, h.Mean);
    }

    private static void AssertWithinPrecision(long exact, long got, string what)
    {
        var error = Math.Abs(got - exact);
        Assert.True(error <= exact * LatencyHistogram.RelativeErrorMax + 0.5,
            $"{what}: {got} is {error} away from {exact} (more than {LatencyHistogram.RelativeErrorMax:P2})");
    }
}

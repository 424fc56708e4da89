using BenchmarkDotNet.Attributes;
using Cairn.LoadTest;

namespace Cairn.Benchmarks;

/// <summary>The load tester's latency histogram: recording must be a few nanoseconds and allocate nothing.</summary>
[MemoryDiagnoser]
public class HistogramBenchmarks
{
    private const int Values = 1024;
    private readonly long[] _values = new long[Values];
    private LatencyHistogram _histogram = null!;
    private LatencyHistogram _other = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        // Latencies between 50 µs and 50 ms, in nanoseconds, log-uniform.
        for (var i = 0; i < Values; i++) _values[i] = (long)(50_000 * Math.Pow(1000, random.NextDouble()));
        _histogram = new LatencyHistogram();
        _other = new LatencyHistogram();
        foreach (var v in _values) _other.Record(v);
    }

    [Benchmark(OperationsPerInvoke = Values)]
    public void Record()
    {
        var h = _histogram;
        foreach (var v in _values) h.Record(v);
    }

    [Benchmark]
    public long ValueAtP99() => _other.ValueAtPercentile(99);

    /// <summary>Merging one worker's histogram into the total (the report does this once per connection).</summary>
    [Benchmark]
    public void Merge() => _histogram.Add(_other);
}

namespace Cairn.LoadTest;

/// <summary>Picks the key index of the next operation. One per worker: not thread-safe.</summary>
public sealed class KeyChooser
{
    private readonly Random _random;
    private readonly ZipfianGenerator? _zipf;
    private readonly int _count;

    public KeyChooser(int keyCount, KeyDistribution distribution, ZipfianGenerator? sharedZipf, int seed)
    {
        Invariant.Check(keyCount > 0);
        Invariant.Check(distribution == KeyDistribution.Uniform || sharedZipf is not null, "zipfian needs its generator");
        _count = keyCount;
        _zipf = distribution == KeyDistribution.Zipfian ? sharedZipf : null;
        _random = new Random(seed);
    }

    public int Next() => _zipf is null ? _random.Next(_count) : _zipf.Next(_random);

    /// <summary>A uniform draw in [0, 1) from the same stream (the read/write choice of a mixed workload).</summary>
    public double NextDouble() => _random.NextDouble();
}

namespace Cairn.LoadTest;

/// <summary>
/// Zipfian ranks over [0, n): rank i is drawn with probability proportional to 1/(i+1)^θ, by the
/// closed-form method of Gray et al., "Quickly generating billion-record synthetic databases"
/// (SIGMOD 1994), the one YCSB uses. The O(n) zeta sum is paid once at construction; each draw
/// is O(1) and allocation-free. Rank 0 is the hottest key.
/// </summary>
/// <remarks>Immutable after construction, so workers share one; each passes its own <see cref="Random"/>.</remarks>
public sealed class ZipfianGenerator
{
    private readonly int _n;
    private readonly double _theta;
    private readonly double _alpha;
    private readonly double _zetaN;
    private readonly double _eta;
    private readonly double _half;

    public ZipfianGenerator(int n, double theta)
    {
        Invariant.Check(n >= 1, "zipfian needs at least one item");
        Invariant.Check(theta is > 0 and < 1, "theta is in (0, 1)");
        _n = n;
        _theta = theta;
        _zetaN = Zeta(n, theta);
        var zeta2 = Zeta(Math.Min(n, 2), theta);
        _alpha = 1.0 / (1.0 - theta);
        _eta = n <= 1 ? 0 : (1 - Math.Pow(2.0 / n, 1 - theta)) / (1 - zeta2 / _zetaN);
        _half = 1 + Math.Pow(0.5, theta);
    }

    /// <summary>The exact probability of rank <paramref name="i"/> (for tests and reports).</summary>
    public double Probability(int i) => 1.0 / Math.Pow(i + 1, _theta) / _zetaN;

    public int Next(Random random)
    {
        var u = random.NextDouble();
        var uz = u * _zetaN;
        if (uz < 1) return 0;
        if (uz < _half) return Math.Min(1, _n - 1);
        var rank = (long)(_n * Math.Pow(_eta * u - _eta + 1, _alpha));
        return (int)Math.Clamp(rank, 0, _n - 1);
    }

    private static double Zeta(int n, double theta)
    {
        var sum = 0.0;
        for (var i = 1; i <= n; i++) sum += 1.0 / Math.Pow(i, theta);
        return sum;
    }
}

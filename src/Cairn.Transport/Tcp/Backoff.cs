namespace Cairn.Transport.Tcp;

/// <summary>
/// Exponential reconnect delay with jitter: attempt n waits a uniform time in [c/2, c] where c = min(max, min × 2^n).
/// The jitter keeps a cluster that lost a node from reconnecting in lockstep. Not thread-safe (one per peer loop).
/// </summary>
internal sealed class Backoff(int delayMinMs, int delayMaxMs, Random random)
{
    /// <summary>Doubling stops here; the ceiling has long reached <c>delayMaxMs</c> by then.</summary>
    private const int AttemptsCountedMax = 30;

    private int _attempt;

    public TimeSpan Next()
    {
        var ceiling = Math.Min(delayMaxMs, delayMinMs * Math.Pow(2, _attempt));
        _attempt = Math.Min(_attempt + 1, AttemptsCountedMax);
        var ms = (ceiling / 2) + (random.NextDouble() * ceiling / 2);
        return TimeSpan.FromMilliseconds(Math.Max(1, ms));
    }

    public void Reset() => _attempt = 0;
}

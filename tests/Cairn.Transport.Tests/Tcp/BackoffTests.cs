using Cairn.Transport.Tcp;

namespace Cairn.Transport.Tests.Tcp;

public sealed class BackoffTests
{
    [Fact]
    public void Delays_DoubleWithJitter_AreCappedAtTheMaximum_AndResetAfterSuccess()
    {
        var backoff = new Backoff(delayMinMs: 50, delayMaxMs: 1000, new Random(3));
        var delays = Enumerable.Range(0, 12).Select(_ => backoff.Next().TotalMilliseconds).ToArray();

        for (var i = 0; i < delays.Length; i++)
        {
            var ceiling = Math.Min(1000, 50 * Math.Pow(2, i));
            Assert.InRange(delays[i], ceiling / 2, ceiling);
        }
        Assert.True(delays.Skip(6).Distinct().Count() > 1, "jitter spreads the capped delays");

        backoff.Reset();
        Assert.InRange(backoff.Next().TotalMilliseconds, 25, 50);
    }
}

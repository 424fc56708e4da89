namespace Cairn.Transport.Tests.Support;

/// <summary>Waits for a condition with a deadline, waking on a signal (or a short poll for state without events).</summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Re-checks <paramref name="condition"/> whenever <paramref name="wake"/> is released or the poll interval passes,
    /// running <paramref name="eachRound"/> first (e.g. to send one more probe frame); fails the test at the deadline.
    /// </summary>
    public static async Task TrueAsync(Func<bool> condition, string what, SemaphoreSlim? wake = null, Action? eachRound = null,
        TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var signal = wake ?? new SemaphoreSlim(0);
        while (true)
        {
            eachRound?.Invoke();
            if (condition()) return;
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for: {what}");
            await signal.WaitAsync(PollInterval);
        }
    }
}

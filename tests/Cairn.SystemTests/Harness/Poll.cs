using System.Diagnostics;

namespace Cairn.SystemTests.Harness;

/// <summary>Polling with a deadline (never a bare sleep): probe, and if the condition does not hold yet, probe again shortly.</summary>
public static class Poll
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Probes until it returns a value; a probe that throws an HTTP error, a timeout or a JSON error counts as "not yet".
    /// The timeout message carries the last state the probe described.
    /// </summary>
    public static async Task<T> UntilAsync<T>(string what, TimeSpan timeout, Func<Task<(bool Done, T Value, string State)>> probe, TimeSpan? interval = null)
        where T : notnull
    {
        var clock = Stopwatch.StartNew();
        var last = "(no probe finished)";
        while (true)
        {
            try
            {
                var (done, value, state) = await probe();
                if (done) return value;
                last = state;
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException or System.Text.Json.JsonException or TaskCanceledException)
            {
                last = $"{e.GetType().Name}: {e.Message}";
            }
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"{what}: not reached within {timeout.TotalSeconds:0.#} s; last state: {last}");
            await Task.Delay(interval ?? Interval); // polling with a deadline
        }
    }

    public static Task UntilAsync(string what, TimeSpan timeout, Func<Task<(bool Done, string State)>> probe, TimeSpan? interval = null) =>
        UntilAsync(what, timeout, async () =>
        {
            var (done, state) = await probe();
            return (done, true, state);
        }, interval);
}

using System.Diagnostics;

namespace Cairn.LoadTest;

/// <summary>Stopwatch timestamps, the one clock of a run (latencies, schedule, history).</summary>
public static class Clock
{
    private static readonly double NanosPerTick = 1e9 / Stopwatch.Frequency;

    public static long Now => Stopwatch.GetTimestamp();

    public static long ToNanos(long ticks) => Stopwatch.Frequency == 1_000_000_000 ? ticks : (long)(ticks * NanosPerTick);

    public static long FromSeconds(double seconds) => (long)(seconds * Stopwatch.Frequency);

    public static TimeSpan Elapsed(long from, long to) => TimeSpan.FromSeconds((double)(to - from) / Stopwatch.Frequency);
}

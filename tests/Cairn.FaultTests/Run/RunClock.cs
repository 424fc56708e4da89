using System.Diagnostics;

namespace Cairn.FaultTests.Run;

/// <summary>
/// The history's clock: <see cref="Stopwatch.GetTimestamp"/> ticks, shared by the recorder (operation intervals), the
/// fault log and the figures, so every fault's start and end sit on the same axis as the operations. Thread-safe.
/// </summary>
public sealed class RunClock
{
    public RunClock() => Origin = Stopwatch.GetTimestamp();

    public long Origin { get; }

    public long Now => Stopwatch.GetTimestamp();

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(Origin);

    /// <summary>Milliseconds from the start of the run to <paramref name="ticks"/>.</summary>
    public double Ms(long ticks) => (ticks - Origin) * 1000.0 / Stopwatch.Frequency;

    public static double Span(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
}

using System.Diagnostics;

namespace Cairn.Checking;

/// <summary>
/// The moment on the <see cref="Stopwatch"/> clock when a time budget runs out, or never when
/// the budget is null. A value: copy it to every key of a check.
/// </summary>
internal readonly record struct Deadline(long Timestamp, TimeSpan? Budget)
{
    // A budget this long (tens of years) is no budget; it also keeps the addition from overflowing.
    private const long TicksMax = long.MaxValue / 4;

    public static Deadline After(long started, TimeSpan? budget)
    {
        if (budget is not { } b) return new Deadline(long.MaxValue, null);
        var ticks = b.TotalSeconds * Stopwatch.Frequency;
        return new Deadline(ticks < TicksMax ? started + (long)ticks : long.MaxValue, b);
    }

    public bool HasPassed(long now) => now > Timestamp;
}

namespace Cairn.Checking;

/// <summary>
/// Budgets that bound what a check can cost. A key whose search exceeds a per-key budget, or
/// that the total time budget leaves unsearched, is Unknown (never Illegal); a history longer
/// than <see cref="OperationsMax"/> is not checked at all. Immutable; share it freely.
/// </summary>
public sealed record CheckOptions
{
    public static CheckOptions Default { get; } = new();

    /// <summary>
    /// A history with more operations than this is not checked (<see cref="CheckResult.NotCheckedReason"/>):
    /// the work before any search (grouping, sorting, indexing) is O(n log n) in time and about
    /// 200 bytes per operation in memory, and no budget below interrupts it.
    /// </summary>
    public int OperationsMax { get; init; } = 4_000_000;

    /// <summary>
    /// Wall-clock time for the whole history; null means no limit. Keys still unsearched when it
    /// runs out are Unknown ("not checked"), and it cuts short the key being searched then.
    /// </summary>
    public TimeSpan? TotalTimeMax { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Model steps per key. Deterministic, so tests should prefer it to time.</summary>
    public long PerKeyStepsMax { get; init; } = 5_000_000;

    /// <summary>Wall-clock time per key; null means no time limit.</summary>
    public TimeSpan? PerKeyTimeMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Approximate memory of one key's search cache.</summary>
    public long PerKeyCacheBytesMax { get; init; } = 512L * 1024 * 1024;

    /// <summary>Keys checked at once. 1 keeps the checker off other work's cores.</summary>
    public int ParallelismMax { get; init; } = 1;

    /// <summary>Why these options are unusable, or null.</summary>
    public string? Validate()
    {
        if (OperationsMax < 0) return "OperationsMax must not be negative";
        if (TotalTimeMax is { } total && total <= TimeSpan.Zero) return "TotalTimeMax must be positive (or null for no limit)";
        if (PerKeyStepsMax < 1) return "PerKeyStepsMax must be positive";
        if (PerKeyTimeMax is { } perKey && perKey <= TimeSpan.Zero) return "PerKeyTimeMax must be positive (or null for no limit)";
        if (PerKeyCacheBytesMax < 1) return "PerKeyCacheBytesMax must be positive";
        if (ParallelismMax < 1) return "ParallelismMax must be at least 1";
        return null;
    }
}

namespace Cairn.Checking;

/// <summary>Budgets for the search. Exceeding any of them on a key makes that key Unknown.</summary>
public sealed record CheckOptions
{
    public static CheckOptions Default { get; } = new();

    /// <summary>Model steps per key. Deterministic, so tests should prefer it to time.</summary>
    public long PerKeyStepsMax { get; init; } = 5_000_000;

    /// <summary>Wall-clock time per key; null means no time limit.</summary>
    public TimeSpan? PerKeyTimeMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Approximate memory of one key's search cache.</summary>
    public long PerKeyCacheBytesMax { get; init; } = 512L * 1024 * 1024;

    /// <summary>Keys checked at once. 1 keeps the checker off other work's cores.</summary>
    public int ParallelismMax { get; init; } = 1;
}

namespace Cairn.Store;

/// <summary>
/// Limits the state machine itself enforces while applying. They must be equal on every replica
/// (they decide outcomes), so they are part of the cluster's configuration, not a per-node option.
/// The API enforces the same limits (and request-size limits of its own) before proposing.
/// </summary>
public sealed record StoreLimits
{
    public const int RequestIdBytesMax = 64;

    public int KeyBytesMax { get; init; } = 512;
    public int ValueBytesMax { get; init; } = 1024 * 1024;
    public int TxnOpsMax { get; init; } = 128;
    public int JsonDepthMax { get; init; } = 64;
    /// <summary>How many recent request ids are remembered to answer retries (dedup window).</summary>
    public int DedupEntriesMax { get; init; } = 100_000;
    /// <summary>Change history bounds (for the watch feed).</summary>
    public int HistoryEventsMax { get; init; } = 100_000;
    public long HistoryBytesMax { get; init; } = 64L * 1024 * 1024;

    public static StoreLimits Default { get; } = new();
}

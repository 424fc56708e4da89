namespace Cairn.Storage.Internal;

/// <summary>
/// The fsync policy shared by the three stores of one <see cref="FileStorage"/>, the lock that orders the driver's
/// writes against the background flusher (<see cref="FsyncPolicy.IntervalMs"/> only), and the sticky failure that
/// makes every write refuse after an fsync or write failed.
/// </summary>
internal sealed class Durability(FsyncPolicy policy)
{
    private volatile StorageFailedException? _failure;

    public FsyncPolicy Policy { get; } = policy;

    /// <summary>Held by every store write and by the flusher. The only lock in the storage; never held while waiting on anything else.</summary>
    public object Gate { get; } = new();

    /// <summary>fsync log appends before returning (<see cref="FsyncPolicy.PerBatch"/>).</summary>
    public bool SyncAppends => Policy == FsyncPolicy.PerBatch;

    /// <summary>fsync structural changes (truncation, compaction, reset, votes, snapshots): every policy but Never.</summary>
    public bool SyncStructural => Policy != FsyncPolicy.Never;

    /// <summary>Makes every log byte written so far durable; the stable store calls it before a durable write under IntervalMs.</summary>
    public Action? SyncLog { get; set; }

    public bool IsFailed => _failure is not null;

    public void ThrowIfFailed()
    {
        if (_failure is { } failure) throw new StorageFailedException(failure.Message, failure);
    }

    /// <summary>Records that <paramref name="error"/> left the files in an unknown state and returns the exception to throw.</summary>
    public StorageFailedException Fail(string what, Exception error)
    {
        var failure = new StorageFailedException($"{what} failed; the storage refuses further writes until the process restarts and recovers from disk: {error.Message}", error);
        _failure ??= failure;
        return failure;
    }
}

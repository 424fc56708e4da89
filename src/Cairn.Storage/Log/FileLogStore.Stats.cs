using System.Diagnostics;

namespace Cairn.Storage.Log;

/// <summary>What the write-ahead log did since it was opened (monotonic counters, for metrics and benchmarks).</summary>
/// <param name="AppendBatches">Append calls that wrote at least one entry (one per Ready that had entries).</param>
/// <param name="EntriesAppended">Entries written.</param>
/// <param name="BytesAppended">Record bytes written (headers and checksums included).</param>
/// <param name="Fsyncs">fsync calls on segment files (appends, truncations, the IntervalMs flusher).</param>
/// <param name="FsyncSeconds">Time spent in those fsync calls.</param>
public readonly record struct LogStats(long AppendBatches, long EntriesAppended, long BytesAppended, long Fsyncs, double FsyncSeconds);

public sealed partial class FileLogStore
{
    private long _appendBatches;
    private long _entriesAppended;
    private long _bytesAppended;
    private long _fsyncs;
    private long _fsyncTicks;

    /// <summary>
    /// The counters so far. Safe from any thread (each counter is read atomically, not all at one instant). An append
    /// is counted after its fsync, so under a syncing policy batches read first never exceed fsyncs read later.
    /// </summary>
    public LogStats Stats => new(Interlocked.Read(ref _appendBatches), Interlocked.Read(ref _entriesAppended),
        Interlocked.Read(ref _bytesAppended), Interlocked.Read(ref _fsyncs),
        (double)Interlocked.Read(ref _fsyncTicks) / Stopwatch.Frequency);

    private void CountAppend(int entries, long bytes)
    {
        Interlocked.Increment(ref _appendBatches);
        Interlocked.Add(ref _entriesAppended, entries);
        Interlocked.Add(ref _bytesAppended, bytes);
    }

    private void SyncSegment(LogSegment segment)
    {
        var started = Stopwatch.GetTimestamp();
        Internal.FileSystem.SyncFile(segment.Handle);
        Interlocked.Add(ref _fsyncTicks, Stopwatch.GetTimestamp() - started);
        Interlocked.Increment(ref _fsyncs);
        segment.Dirty = false;
    }
}

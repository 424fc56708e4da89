using Cairn.Consensus;
using Cairn.Storage.Tests.Support;
using static Cairn.Storage.Tests.Support.Build;

namespace Cairn.Storage.Tests.Log;

/// <summary>Segment files: rollover by size, removal by compaction, truncation across segments, reset.</summary>
public sealed class SegmentTests : IDisposable
{
    // 16-byte header + 125-byte records (100 data bytes): three records fit in 512 bytes, a fourth rolls over.
    private const int DataBytes = 100;
    private readonly TempDirectory _dir = new();
    private readonly LogFiles _files;
    private FileStorage _storage;

    public SegmentTests()
    {
        _files = new LogFiles(_dir.Path);
        _storage = Open(Options);
    }

    public void Dispose()
    {
        _storage.Dispose();
        _dir.Dispose();
    }

    private StorageOptions Options => new() { DataDirectory = _dir.Path, SegmentBytes = 512, EntryCacheBytes = 0 };

    private Cairn.Storage.Log.FileLogStore Log => _storage.Log;

    // The log alone: no snapshot backs the compactions here, so the cross-store check is off.
    private static FileStorage Open(StorageOptions options) => FileStorage.Open(options, null, null, checkConsistency: false);

    private void Restart()
    {
        _storage.Dispose();
        _storage = Open(Options);
    }

    private static string[] Names(params ulong[] firsts) => firsts.Select(LogFiles.SegmentName).ToArray();

    [Fact]
    public void Segments_RollOverBySize_AndAreNamedByTheirFirstIndex()
    {
        Log.Append(Run(1, 1, 10, DataBytes));
        Assert.Equal(Names(1, 4, 7, 10), _files.SegmentNames());
        Assert.All(_files.Segments()[..^1], s => Assert.True(new FileInfo(s).Length <= 512));
        Restart();
        LogFiles.AssertEntries(Log, Run(1, 1, 10, DataBytes));
        Log.Append(Run(11, 1, 3, DataBytes));
        Assert.Equal(Names(1, 4, 7, 10, 13), _files.SegmentNames());
    }

    [Fact]
    public void AnEntryLargerThanASegment_GetsASegmentOfItsOwn()
    {
        Log.Append(Run(1, 1, 1, DataBytes));
        Log.Append(Run(2, 1, 1, 2000));
        Log.Append(Run(3, 1, 1, DataBytes));
        Assert.Equal(Names(1, 2, 3), _files.SegmentNames());
        Restart();
        LogFiles.AssertEntries(Log, [.. Run(1, 1, 1, DataBytes), .. Run(2, 1, 1, 2000), .. Run(3, 1, 1, DataBytes)]);
    }

    [Fact]
    public void Compact_DeletesOnlySegmentsItCoversEntirely()
    {
        Log.Append(Run(1, 1, 10, DataBytes));
        Log.Compact(I(5));
        Assert.Equal(Names(4, 7, 10), _files.SegmentNames());
        Log.Compact(I(6));
        Assert.Equal(Names(7, 10), _files.SegmentNames());
        Restart();
        Assert.Equal(I(6), Log.BaseIndex);
        LogFiles.AssertEntries(Log, Run(7, 1, 4, DataBytes));
        Log.Compact(I(10));
        Assert.Empty(_files.Segments());
        Log.Append(Run(11, 2, 1, DataBytes));
        Assert.Equal(Names(11), _files.SegmentNames());
    }

    [Fact]
    public void Overwrite_AcrossSegments_DeletesLaterSegments_AndCutsTheOneItStartsIn()
    {
        Log.Append(Run(1, 1, 12, DataBytes));
        Log.Append(Run(5, 2, 2, DataBytes));
        Assert.Equal(Names(1, 4), _files.SegmentNames());
        Restart();
        LogFiles.AssertEntries(Log, [.. Run(1, 1, 4, DataBytes), .. Run(5, 2, 2, DataBytes)]);
        Log.Append(Run(7, 2, 4, DataBytes));
        Restart();
        LogFiles.AssertEntries(Log, [.. Run(1, 1, 4, DataBytes), .. Run(5, 2, 6, DataBytes)]);
    }

    [Fact]
    public void Overwrite_AtASegmentsFirstIndex_ReusesThatSegment()
    {
        Log.Append(Run(1, 1, 9, DataBytes));
        Log.Append(Run(4, 3, 1, DataBytes));
        Assert.Equal(Names(1, 4), _files.SegmentNames());
        Restart();
        LogFiles.AssertEntries(Log, [.. Run(1, 1, 3, DataBytes), .. Run(4, 3, 1, DataBytes)]);
    }

    [Fact]
    public void Overwrite_AfterARestart_ThenRestartAgain()
    {
        Log.Append(Run(1, 1, 12, DataBytes));
        Restart();
        Log.Append(Run(2, 2, 12, DataBytes));
        Restart();
        LogFiles.AssertEntries(Log, [.. Run(1, 1, 1, DataBytes), .. Run(2, 2, 12, DataBytes)]);
    }

    [Fact]
    public void Reset_DeletesEverySegment_AndTheNextAppendStartsAFreshOne()
    {
        Log.Append(Run(1, 1, 10, DataBytes));
        Log.Reset(I(50), T(4));
        Assert.Empty(_files.Segments());
        Log.Append(Run(51, 4, 2, DataBytes));
        Assert.Equal(Names(51), _files.SegmentNames());
        Restart();
        Assert.Equal(T(4), Log.TermAt(I(50)));
        LogFiles.AssertEntries(Log, Run(51, 4, 2, DataBytes));
    }

    [Fact]
    public void SegmentsACompactionLeftBehind_AreDeletedAtStartUp()
    {
        Log.Append(Run(1, 1, 10, DataBytes));
        var first = _files.Segments()[0];
        var bytes = File.ReadAllBytes(first);
        Log.Compact(I(3));
        File.WriteAllBytes(first, bytes); // as if the crash came between the base write and the delete
        Restart();
        Assert.Equal(Names(4, 7, 10), _files.SegmentNames());
        LogFiles.AssertEntries(Log, Run(4, 1, 7, DataBytes));
    }

    [Fact]
    public void AResetInterruptedAfterDeletingNewerSegments_LeavesAConsistentPrefix()
    {
        Log.Append(Run(1, 1, 10, DataBytes));
        var kept = _files.Segments()[..2].Select(p => (p, File.ReadAllBytes(p))).ToArray();
        Log.Reset(I(50), T(4));
        // The crash came after the two newest deletes and before the base was written.
        File.Delete(Path.Combine(_files.LogDirectory, "base"));
        foreach (var (path, bytes) in kept) File.WriteAllBytes(path, bytes);
        Restart();
        Assert.Equal(I(0), Log.BaseIndex);
        LogFiles.AssertEntries(Log, Run(1, 1, 6, DataBytes));
    }

    [Fact]
    public void Reads_FromFiles_AndFromTheCache_AgreeAndRespectTheBudget()
    {
        Log.Append(Run(1, 1, 10, DataBytes));
        var fromFiles = Log.GetEntries(I(2), I(11), 3 * (DataBytes + Entry.OverheadBytes));
        Assert.Equal([2ul, 3, 4], fromFiles.Select(e => e.Index.Value));
        _storage.Dispose();
        _storage = Open(Options with { EntryCacheBytes = 1 << 20 });
        _storage.Log.Append(Run(11, 1, 5, DataBytes));
        Assert.Equal(5, _storage.Log.CachedEntries);
        var mixed = _storage.Log.GetEntries(I(8), I(16), long.MaxValue);
        for (var i = 0; i < mixed.Count; i++) SameEntry(Run(8, 1, 8, DataBytes)[i], mixed[i]);
    }

    [Fact]
    public void Sync_CanBeCalledAnyTime_UnderEveryPolicy()
    {
        foreach (var policy in Enum.GetValues<FsyncPolicy>())
        {
            _storage.Dispose();
            _storage = Open(Options with { FsyncPolicy = policy });
            _storage.Log.Append(Run(_storage.Log.LastIndex.Value + 1, 1, 2, DataBytes));
            _storage.Log.Sync();
            _storage.Flush();
        }
        Restart();
        Assert.Equal(I(6), Log.LastIndex);
    }

    [Fact]
    public void Stats_CountBatchesEntriesBytesAndFsyncs()
    {
        Assert.Equal(default, Log.Stats with { FsyncSeconds = 0 });
        Log.Append(Run(1, 1, 3, DataBytes));
        Log.Append(Run(4, 1, 2, DataBytes));
        var stats = Log.Stats;
        Assert.Equal(2, stats.AppendBatches);
        Assert.Equal(5, stats.EntriesAppended);
        Assert.Equal(5 * 125, stats.BytesAppended);
        // PerBatch: one fsync per dirty segment per append (the second append went wholly into a new segment).
        Assert.Equal(2, stats.Fsyncs);
        Assert.True(stats.FsyncSeconds > 0);
        Log.Append(Run(5, 2, 1, DataBytes)); // truncation first: one more fsync before the write
        Assert.Equal(6, Log.Stats.EntriesAppended);
        Assert.Equal(4, Log.Stats.Fsyncs);
    }
}

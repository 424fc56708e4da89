using Cairn.Consensus;
using Cairn.Storage.Log;
using Cairn.Storage.Tests.Support;
using static Cairn.Storage.Tests.Support.Build;

namespace Cairn.Storage.Tests.Log;

/// <summary>Damage that is not a torn write: refused at start-up (naming file and offset) unless the operator accepts the loss.</summary>
public sealed class CorruptionTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly LogFiles _files;

    public CorruptionTests() => _files = new LogFiles(_dir.Path);

    public void Dispose() => _dir.Dispose();

    private StorageOptions Options => new() { DataDirectory = _dir.Path, SegmentBytes = 1 << 20 };

    private Entry[] Write(int count, long segmentBytes = 1 << 20)
    {
        var entries = Run(1, 1, count, dataBytes: 30);
        using var storage = FileStorage.Open(Options with { SegmentBytes = segmentBytes });
        storage.Log.Append(entries);
        return entries;
    }

    private static byte[][] Snapshot(string[] paths) => paths.Select(File.ReadAllBytes).ToArray();

    [Fact]
    public void ACorruptRecordFollowedByValidOnes_IsRefused_NamingFileAndOffset_AndNothingChanges()
    {
        Write(10);
        var segment = Assert.Single(_files.Segments());
        var fifth = LogFiles.RecordOffsets(segment)[4];
        LogFiles.FlipByte(segment, fifth + 30);
        var before = File.ReadAllBytes(segment);

        var error = Assert.Throws<StorageCorruptException>(() => FileStorage.Open(Options));

        Assert.Equal(segment, error.Path);
        Assert.Equal(fifth, error.Offset);
        Assert.Contains(segment, error.Message);
        Assert.Contains($"offset {fifth}", error.Message);
        Assert.Contains("TruncateCorruptTail", error.Message);
        Assert.Equal(before, File.ReadAllBytes(segment));
    }

    [Fact]
    public void ACorruptLengthField_FollowedByValidRecords_IsRefused()
    {
        Write(10);
        var segment = Assert.Single(_files.Segments());
        var third = LogFiles.RecordOffsets(segment)[2];
        LogFiles.FlipByte(segment, third + 3); // the length now runs far past the end of the file
        var error = Assert.Throws<StorageCorruptException>(() => FileStorage.Open(Options));
        Assert.Equal(third, error.Offset);
    }

    [Fact]
    public void ACorruptRecordFollowedByValidOnes_WithTruncateCorruptTail_IsCutThere()
    {
        var entries = Write(10);
        var segment = Assert.Single(_files.Segments());
        var fifth = LogFiles.RecordOffsets(segment)[4];
        LogFiles.FlipByte(segment, fifth + 30);

        using (var storage = FileStorage.Open(Options with { TruncateCorruptTail = true }))
        {
            LogFiles.AssertEntries(storage.Log, entries[..4]);
            Assert.Equal(fifth, new FileInfo(segment).Length);
            storage.Log.Append(Run(5, 2, 2));
        }
        using (var storage = FileStorage.Open(Options))
            LogFiles.AssertEntries(storage.Log, [.. entries[..4], .. Run(5, 2, 2)]);
    }

    [Fact]
    public void ACorruptRecordInAnEarlierSegment_IsRefused_OrCutWithLaterSegmentsDeleted()
    {
        var entries = Write(20, segmentBytes: 256);
        var segments = _files.Segments();
        Assert.True(segments.Length >= 4);
        var second = segments[1];
        var offsets = LogFiles.RecordOffsets(second);
        LogFiles.FlipByte(second, offsets[1] + 20);
        var firstIndexOfSecond = ulong.Parse(Path.GetFileNameWithoutExtension(second));

        var error = Assert.Throws<StorageCorruptException>(() => FileStorage.Open(Options));
        Assert.Equal(second, error.Path);
        Assert.Equal(offsets[1], error.Offset);

        using var storage = FileStorage.Open(Options with { TruncateCorruptTail = true });
        LogFiles.AssertEntries(storage.Log, entries[..(int)firstIndexOfSecond]);
        Assert.Equal(segments[..2].Select(Path.GetFileName), _files.SegmentNames());
    }

    [Fact]
    public void AMissingMiddleSegment_IsRefused_OrTheLogEndsBeforeTheGap()
    {
        var entries = Write(20, segmentBytes: 256);
        var segments = _files.Segments();
        File.Delete(segments[2]);
        var third = ulong.Parse(Path.GetFileNameWithoutExtension(segments[2]));

        var error = Assert.Throws<StorageCorruptException>(() => FileStorage.Open(Options));
        Assert.Equal(segments[3], error.Path);
        Assert.Contains($"ends at {third - 1}", error.Message);

        using var storage = FileStorage.Open(Options with { TruncateCorruptTail = true });
        LogFiles.AssertEntries(storage.Log, entries[..(int)(third - 1)]);
        Assert.Equal(2, _files.Segments().Length);
    }

    [Fact]
    public void AValidRecordOutOfPlace_IsCorruption_EvenAtTheTail()
    {
        Write(3);
        var segment = Assert.Single(_files.Segments());
        var stray = E(7, 1, "stray");
        var bytes = new byte[LogRecord.SizeOf(stray)];
        LogRecord.Write(bytes, stray);
        using (var stream = new FileStream(segment, FileMode.Append)) stream.Write(bytes);
        var error = Assert.Throws<StorageCorruptException>(() => FileStorage.Open(Options));
        Assert.Contains("holds index 7 where 4 belongs", error.Message);
    }

    [Fact]
    public void ATermThatGoesBackwards_IsCorruption()
    {
        using (var storage = FileStorage.Open(Options)) storage.Log.Append([E(1, 3), E(2, 3)]);
        var segment = Assert.Single(_files.Segments());
        var stray = E(3, 2);
        var bytes = new byte[LogRecord.SizeOf(stray)];
        LogRecord.Write(bytes, stray);
        using (var stream = new FileStream(segment, FileMode.Append)) stream.Write(bytes);
        var error = Assert.Throws<StorageCorruptException>(() => FileStorage.Open(Options));
        Assert.Contains("below the previous entry's 3", error.Message);
    }

    [Fact]
    public void ADamagedSegmentHeader_WithRecordsAfterIt_IsRefused()
    {
        Write(5);
        var segment = Assert.Single(_files.Segments());
        LogFiles.FlipByte(segment, 2);
        var error = Assert.Throws<StorageCorruptException>(() => FileStorage.Open(Options));
        Assert.Equal(0, error.Offset);
        Assert.Contains("not a Cairn log segment header", error.Message);
    }

    [Fact]
    public void ADamagedBaseFile_IsRefused()
    {
        using (var storage = FileStorage.Open(Options))
        {
            storage.Log.Append(Run(1, 1, 5));
            storage.Log.Compact(I(2));
        }
        var basePath = Path.Combine(_files.LogDirectory, "base");
        LogFiles.FlipByte(basePath, 14);
        var error = Assert.Throws<StorageCorruptException>(() => FileStorage.Open(Options));
        Assert.Equal(basePath, error.Path);
    }

    [Fact]
    public void DamageFoundWhenReadingAnEvictedEntry_Throws_NamingFileAndOffset()
    {
        using var storage = FileStorage.Open(Options with { EntryCacheBytes = 0 });
        storage.Log.Append(Run(1, 1, 5, dataBytes: 30));
        var segment = Assert.Single(_files.Segments());
        var third = LogFiles.RecordOffsets(segment)[2];
        using (var handle = File.OpenHandle(segment, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
            RandomAccess.Write(handle, new byte[] { 0xFF }, third + 30);
        Assert.Equal(2, storage.Log.GetEntries(I(1), I(3), long.MaxValue).Count);
        var error = Assert.Throws<StorageCorruptException>(() => storage.Log.GetEntries(I(1), I(6), long.MaxValue));
        Assert.Equal(third, error.Offset);
    }
}

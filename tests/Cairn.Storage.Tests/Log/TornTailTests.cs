using Cairn.Consensus;
using Cairn.Storage.Log;
using Cairn.Storage.Tests.Support;
using static Cairn.Storage.Tests.Support.Build;

namespace Cairn.Storage.Tests.Log;

/// <summary>Start-up after a crash in the middle of a write: whatever is left of the last record goes, the rest stays.</summary>
public sealed class TornTailTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly LogFiles _files;

    public TornTailTests() => _files = new LogFiles(_dir.Path);

    public void Dispose() => _dir.Dispose();

    private StorageOptions Options => new() { DataDirectory = _dir.Path, SegmentBytes = 1 << 20 };

    private Entry[] WriteFiveEntries()
    {
        var entries = Run(1, 1, 4, dataBytes: 20).Append(E(5, 2, "the last one, torn")).ToArray();
        using var storage = FileStorage.Open(Options);
        storage.Log.Append(entries[..2]);
        storage.Log.Append(entries[2..]);
        return entries;
    }

    [Fact]
    public void TruncatedAtEveryByteOfTheLastRecord_TheRecordIsDropped_AndTheOthersSurvive()
    {
        var entries = WriteFiveEntries();
        var segment = Assert.Single(_files.Segments());
        var original = File.ReadAllBytes(segment);
        var lastRecord = LogFiles.RecordOffsets(segment)[^1];
        Assert.Equal(original.Length, lastRecord + LogRecord.SizeOf(entries[^1]));
        for (var length = lastRecord; length < original.Length; length++)
        {
            File.WriteAllBytes(segment, original.AsSpan(0, (int)length).ToArray());
            using (var storage = FileStorage.Open(Options))
            {
                LogFiles.AssertEntries(storage.Log, entries[..4]);
                Assert.Equal(lastRecord, new FileInfo(segment).Length);
                storage.Log.Append([E(5, 3, "rewritten")]);
            }
            using (var storage = FileStorage.Open(Options))
                LogFiles.AssertEntries(storage.Log, [.. entries[..4], E(5, 3, "rewritten")]);
        }
    }

    [Fact]
    public void AnyByteOfTheLastRecordFlipped_TheRecordIsDropped_AndTheOthersSurvive()
    {
        var entries = WriteFiveEntries();
        var segment = Assert.Single(_files.Segments());
        var original = File.ReadAllBytes(segment);
        var lastRecord = LogFiles.RecordOffsets(segment)[^1];
        for (var at = lastRecord; at < original.Length; at++)
        {
            File.WriteAllBytes(segment, original);
            LogFiles.FlipByte(segment, at);
            using var storage = FileStorage.Open(Options);
            LogFiles.AssertEntries(storage.Log, entries[..4]);
        }
    }

    [Fact]
    public void ZerosAfterTheLastRecord_AreTruncated()
    {
        var entries = WriteFiveEntries();
        var segment = Assert.Single(_files.Segments());
        var length = new FileInfo(segment).Length;
        using (var stream = new FileStream(segment, FileMode.Append)) stream.Write(new byte[4096]);
        using var storage = FileStorage.Open(Options);
        LogFiles.AssertEntries(storage.Log, entries);
        Assert.Equal(length, new FileInfo(segment).Length);
    }

    [Fact]
    public void ANewSegmentWithATornHeader_IsDeleted()
    {
        var entries = WriteFiveEntries();
        File.WriteAllBytes(Path.Combine(_files.LogDirectory, LogFiles.SegmentName(6)), "CAIRN"u8.ToArray());
        using var storage = FileStorage.Open(Options);
        LogFiles.AssertEntries(storage.Log, entries);
        Assert.Equal([LogFiles.SegmentName(1)], _files.SegmentNames());
        storage.Log.Append([E(6, 2)]);
    }

    [Fact]
    public void TornTail_InASegmentThatOthersFollow_IsCorruptionNotATornTail()
    {
        using (var storage = FileStorage.Open(Options with { SegmentBytes = 256 }))
            storage.Log.Append(Run(1, 1, 12, dataBytes: 40));
        var segments = _files.Segments();
        Assert.True(segments.Length > 2);
        File.WriteAllBytes(segments[0], File.ReadAllBytes(segments[0])[..^3]);
        var error = Assert.Throws<StorageCorruptException>(() => FileStorage.Open(Options));
        Assert.Equal(segments[0], error.Path);
        Assert.Contains("later segments follow", error.Message);
    }
}

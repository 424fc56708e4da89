using Cairn.Consensus;
using Cairn.Storage.Tests.Support;
using static Cairn.Storage.Tests.Support.Build;

namespace Cairn.Storage.Tests.Log;

/// <summary>
/// One append larger than the initial write buffer (64 KiB): the buffer grows while records are already serialized
/// in it. Found by the fault suite (S7, extended tier): the grown buffer lost them, so the segment got a 64 KiB hole
/// of zeros and the node refused to start after its next restart ("record length 0 … a valid record follows").
/// </summary>
public sealed class WriteBufferTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(300, 400)]    // ~120 KiB in one append: one growth
    [InlineData(2000, 700)]   // ~1.4 MiB in one append: growths up to the 1 MiB cap, then flushes
    public void AnAppendLargerThanTheWriteBuffer_IsReadBackWhole_AfterAReopen(int count, int dataBytes)
    {
        var options = new StorageOptions { DataDirectory = _dir.Path, SegmentBytes = 64 << 20 };
        var entries = Run(1, 1, count, dataBytes);
        using (var storage = FileStorage.Open(options)) storage.Log.Append(entries);

        using var reopened = FileStorage.Open(options);
        var read = reopened.Log.GetEntries(new LogIndex(1), new LogIndex((ulong)count + 1), long.MaxValue);
        Assert.Equal(count, read.Count);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(entries[i].Index, read[i].Index);
            Assert.True(entries[i].Data.Span.SequenceEqual(read[i].Data.Span), $"entry {entries[i].Index} differs after the reopen");
        }
    }
}

using Cairn.Consensus;

namespace Cairn.Storage.Tests.Support;

/// <summary>Opens a data directory's storage and pokes at its log files the way a crash or a bad disk would.</summary>
internal sealed class LogFiles(string dataDirectory)
{
    public string LogDirectory => Path.Combine(dataDirectory, FileStorage.LogDirectoryName);

    public string[] Segments() => Directory.GetFiles(LogDirectory, "*.seg").Order(StringComparer.Ordinal).ToArray();

    public string[] SegmentNames() => Segments().Select(Path.GetFileName).ToArray()!;

    public static string SegmentName(ulong first) => $"{first:D20}.seg";

    public static void FlipByte(string path, long offset)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[offset] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Offsets of the records in a segment file, found by walking the length fields.</summary>
    public static List<long> RecordOffsets(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var offsets = new List<long>();
        var at = 16;
        while (at + 8 <= bytes.Length)
        {
            offsets.Add(at);
            at += 8 + (int)BitConverter.ToUInt32(bytes, at);
        }
        return offsets;
    }

    public static void AssertEntries(Consensus.Storage.ILogStore log, IReadOnlyList<Entry> expected)
    {
        Assert.Equal(expected.Count == 0 ? log.BaseIndex : expected[^1].Index, log.LastIndex);
        if (expected.Count == 0) return;
        var read = log.GetEntries(expected[0].Index, log.LastIndex.Next, long.MaxValue);
        Assert.Equal(expected.Count, read.Count);
        for (var i = 0; i < read.Count; i++) Build.SameEntry(expected[i], read[i]);
    }
}

using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace Cairn.Storage.Log;

/// <summary>
/// One segment file: the records of indexes [FirstIndex, NextIndex), contiguous, after a 16-byte header; named by
/// <see cref="FirstIndex"/>. Keeps the offset and term of each record in memory (16 bytes an entry), so the store
/// answers TermAt without I/O and reads any entry with one positioned read.
/// Owned by the <see cref="FileLogStore"/> (driver thread; the IntervalMs flusher only fsyncs <see cref="Handle"/>
/// under the durability gate).
/// </summary>
internal sealed class LogSegment : IDisposable
{
    public const string Extension = ".seg";

    private readonly List<long> _offsets = [];
    private readonly List<ulong> _terms = [];

    public LogSegment(string path, ulong firstIndex, SafeFileHandle handle, long length)
    {
        Path = path;
        FirstIndex = firstIndex;
        Handle = handle;
        Length = length;
    }

    public string Path { get; }

    public ulong FirstIndex { get; }

    public SafeFileHandle Handle { get; }

    /// <summary>Bytes of header and valid records; the file is never longer once recovery and truncation are done.</summary>
    public long Length { get; set; }

    /// <summary>Written since the last fsync.</summary>
    public bool Dirty { get; set; }

    public int Count => _offsets.Count;

    public ulong NextIndex => FirstIndex + (ulong)_offsets.Count;

    /// <summary>The last index held; FirstIndex − 1 when the segment holds no record.</summary>
    public ulong LastIndex => NextIndex - 1;

    public bool Contains(ulong index) => index >= FirstIndex && index < NextIndex;

    public void Add(long offset, ulong term)
    {
        _offsets.Add(offset);
        _terms.Add(term);
    }

    public ulong TermAt(ulong index) => _terms[Slot(index)];

    public long OffsetOf(ulong index) => _offsets[Slot(index)];

    /// <summary>Offset just past the record at <paramref name="index"/>.</summary>
    public long EndOf(ulong index)
    {
        var slot = Slot(index);
        return slot + 1 < _offsets.Count ? _offsets[slot + 1] : Length;
    }

    /// <summary>Forgets records from <paramref name="index"/> on (the caller truncates the file to <see cref="Length"/>).</summary>
    public void ForgetFrom(ulong index)
    {
        var slot = Slot(index);
        Length = _offsets[slot];
        _offsets.RemoveRange(slot, _offsets.Count - slot);
        _terms.RemoveRange(slot, _terms.Count - slot);
    }

    public static string FileName(ulong firstIndex) => firstIndex.ToString("D20", CultureInfo.InvariantCulture) + Extension;

    public static bool TryParseFileName(string fileName, out ulong firstIndex)
    {
        firstIndex = 0;
        return fileName.Length == 20 + Extension.Length && fileName.EndsWith(Extension, StringComparison.Ordinal)
            && ulong.TryParse(fileName.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out firstIndex);
    }

    public void Dispose() => Handle.Dispose();

    private int Slot(ulong index)
    {
        Invariant.Check(Contains(index), "index outside the segment");
        return (int)(index - FirstIndex);
    }
}

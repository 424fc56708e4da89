using Cairn.Consensus;
using Cairn.Consensus.Storage;
using Cairn.Storage.Internal;
using Microsoft.Extensions.Logging;

namespace Cairn.Storage.Log;

/// <summary>
/// <see cref="ILogStore"/> as a segmented write-ahead log in one directory (format in <see cref="LogRecord"/>,
/// layout and recovery rules in DESIGN.md). Semantics are exactly <see cref="InMemoryLogStore"/>'s; the contract
/// tests run against both.
/// <para>Invariants: segments are contiguous and ascending; when there is one, the last segment ends at
/// <see cref="LastIndex"/>; records at or below <see cref="BaseIndex"/> may still sit in the first segment (they are
/// never read); the entry cache is a suffix ending at <see cref="LastIndex"/>.</para>
/// <para>Threading: not thread-safe, owned by the driver thread like every store. Under
/// <see cref="FsyncPolicy.IntervalMs"/> a background flusher fsyncs segments; writes and the flusher serialize on the
/// storage's durability gate. Reads take no lock (the flusher never closes or truncates a file).</para>
/// <para>Durability: see <see cref="FsyncPolicy"/>. Under PerBatch (the default) Append, Compact and Reset are on the
/// device when they return, as <see cref="ILogStore"/> requires.</para>
/// </summary>
public sealed partial class FileLogStore : ILogStore, IDisposable
{
    /// <summary>Records are gathered into one buffer and written with one call; a batch larger than this is written in pieces.</summary>
    internal const int WriteBufferBytes = 1 << 20;

    private readonly string _directory;
    private readonly StorageOptions _options;
    private readonly Durability _durability;
    private readonly ILogger _logger;
    private readonly List<LogSegment> _segments;
    private readonly EntryCache _cache;
    private byte[] _buffer = new byte[64 * 1024];
    private bool _directoryDirty;
    private bool _disposed;

    private FileLogStore(string directory, StorageOptions options, Durability durability, ILogger logger,
        List<LogSegment> segments, LogIndex baseIndex, Term baseTerm)
    {
        _directory = directory;
        _options = options;
        _durability = durability;
        _logger = logger;
        _segments = segments;
        BaseIndex = baseIndex;
        BaseTerm = baseTerm;
        LastIndex = segments.Count > 0 ? LogIndex.Max(baseIndex, new LogIndex(segments[^1].LastIndex)) : baseIndex;
        _cache = new EntryCache(options.EntryCacheBytes);
        _cache.Reset(LastIndex.Value + 1);
    }

    public LogIndex BaseIndex { get; private set; }

    public Term BaseTerm { get; private set; }

    public LogIndex FirstIndex => BaseIndex.Next;

    public LogIndex LastIndex { get; private set; }

    /// <summary>The directory holding the segments.</summary>
    public string Directory => _directory;

    /// <summary>Segment files currently in use (for status and tests).</summary>
    public int SegmentCount => _segments.Count;

    /// <summary>Entries currently held in memory (for status and tests).</summary>
    public int CachedEntries => _cache.Count;

    public Term TermAt(LogIndex index)
    {
        if (index < BaseIndex || index > LastIndex) Invariant.Fail($"term of {index} outside [{BaseIndex}, {LastIndex}]");
        if (index == BaseIndex) return BaseTerm;
        return new Term(SegmentOf(index.Value).TermAt(index.Value));
    }

    public IReadOnlyList<Entry> GetEntries(LogIndex from, LogIndex toExclusive, long bytesMax)
    {
        if (from < FirstIndex || from > toExclusive || toExclusive > LastIndex.Next)
            Invariant.Fail($"entries [{from}, {toExclusive}) outside [{FirstIndex}, {LastIndex.Next})");
        var result = new List<Entry>();
        long bytes = 0;
        var index = from.Value;
        var end = toExclusive.Value;
        while (index < end)
        {
            if (_cache.TryGet(index, out var cached))
            {
                if (result.Count > 0 && bytes + cached.SizeBytes > bytesMax) break;
                bytes += cached.SizeBytes;
                result.Add(cached);
                index++;
                continue;
            }
            var read = ReadFromSegment(index, Math.Min(end, _cache.First), bytesMax, ref bytes, result);
            if (read == 0) break;
            index += (ulong)read;
        }
        return result;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        lock (_durability.Gate)
        {
            foreach (var segment in _segments) segment.Dispose();
            _segments.Clear();
        }
    }

    /// <summary>
    /// Reads the run of entries from <paramref name="index"/> that lies in one segment, below
    /// <paramref name="endExclusive"/> and within the byte budget, with one positioned read. Returns how many.
    /// </summary>
    private int ReadFromSegment(ulong index, ulong endExclusive, long bytesMax, ref long bytes, List<Entry> result)
    {
        var segment = SegmentOf(index);
        var last = Math.Min(endExclusive, segment.NextIndex) - 1;
        var count = 0;
        var stop = index;
        for (; stop <= last; stop++)
        {
            var size = LogRecord.EntrySizeBytes(segment.EndOf(stop) - segment.OffsetOf(stop));
            if ((result.Count > 0 || count > 0) && bytes + size > bytesMax) break;
            bytes += size;
            count++;
        }
        if (count == 0) return 0;
        var start = segment.OffsetOf(index);
        var length = checked((int)(segment.EndOf(stop - 1) - start));
        var buffer = new byte[length];
        var got = RandomAccess.Read(segment.Handle, buffer, start);
        if (got != length) throw new StorageCorruptException(segment.Path, start + got, "segment is shorter than its records (was it modified while open?)");
        var at = 0;
        for (var i = index; i < stop; i++)
        {
            var record = buffer.AsSpan(at);
            if (!LogRecord.TryValidate(record, out var size, out var reason) || LogRecord.IndexOf(record) != i)
                throw new StorageCorruptException(segment.Path, start + at, $"reading entry {i}: {(reason.Length > 0 ? reason : "unexpected index")}");
            result.Add(LogRecord.Decode(record[..size]));
            at += size;
        }
        return count;
    }

    private LogSegment SegmentOf(ulong index)
    {
        var last = _segments[^1];
        if (index >= last.FirstIndex) return last;
        int lo = 0, hi = _segments.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (_segments[mid].FirstIndex <= index) lo = mid;
            else hi = mid - 1;
        }
        var segment = _segments[lo];
        Invariant.Check(segment.Contains(index), "every index in the log lies in a segment");
        return segment;
    }

    private string PathOf(string fileName) => Path.Combine(_directory, fileName);
}

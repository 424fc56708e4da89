using Cairn.Consensus;
using Cairn.Storage.Internal;
using Microsoft.Extensions.Logging;

namespace Cairn.Storage.Log;

public sealed partial class FileLogStore
{
    /// <summary>
    /// Opens (creating if needed) the log in <paramref name="directory"/> and recovers it: reads the base, scans every
    /// segment, truncates a torn tail, refuses corruption followed by valid data (or cuts it off when
    /// <see cref="StorageOptions.TruncateCorruptTail"/> is set), and deletes segments a compaction left behind.
    /// </summary>
    internal static FileLogStore Open(string directory, StorageOptions options, Durability durability, ILogger logger)
    {
        System.IO.Directory.CreateDirectory(directory);
        var basePath = Path.Combine(directory, LogBase.FileName);
        File.Delete(basePath + FileSystem.TempSuffix);
        var (baseIndex, baseTerm) = LogBase.Read(basePath);
        var segments = new List<LogSegment>();
        try
        {
            var changed = Recover(directory, options, durability, logger, segments, baseIndex);
            changed |= DropCompacted(segments, baseIndex, logger);
            CheckBase(segments, baseIndex, baseTerm, basePath);
            if (changed && durability.SyncStructural) FileSystem.SyncDirectory(directory);
            return new FileLogStore(directory, options, durability, logger, segments, new LogIndex(baseIndex), new Term(baseTerm));
        }
        catch
        {
            foreach (var s in segments) s.Dispose();
            throw;
        }
    }

    private static bool Recover(string directory, StorageOptions options, Durability durability, ILogger logger,
        List<LogSegment> segments, ulong baseIndex)
    {
        var files = SegmentFiles(directory);
        var previousTerm = 0ul;
        for (var i = 0; i < files.Count; i++)
        {
            var (path, first) = files[i];
            var expected = segments.Count > 0 ? segments[^1].NextIndex : Math.Min(first, baseIndex + 1);
            if (first != expected)
            {
                var reason = segments.Count > 0
                    ? $"segment starts at index {first} but the previous one ends at {expected - 1}"
                    : $"the log starts at index {first} but its base is {baseIndex}: entries {baseIndex + 1}..{first - 1} are missing";
                RefuseOrCut(options, logger, path, 0, reason);
                DeleteFiles(files.Skip(i).Select(f => f.Path), logger);
                return true;
            }
            var scan = SegmentScanner.Scan(path, first, previousTerm);
            segments.Add(scan.Segment);
            if (scan.Outcome == ScanOutcome.Clean)
            {
                if (scan.Segment.Count > 0) previousTerm = scan.Segment.TermAt(scan.Segment.LastIndex);
                continue;
            }
            var isLast = i == files.Count - 1;
            if (scan.Outcome == ScanOutcome.Torn && isLast)
                LogTornTail(logger, path, scan.ProblemOffset, new FileInfo(path).Length - scan.ProblemOffset, scan.Reason);
            else
                RefuseOrCut(options, logger, path, scan.ProblemOffset, isLast ? scan.Reason : $"{scan.Reason}; later segments follow");
            CutAt(scan.Segment, segments, durability, logger);
            DeleteFiles(files.Skip(i + 1).Select(f => f.Path), logger);
            return true;
        }
        return false;
    }

    private static void RefuseOrCut(StorageOptions options, ILogger logger, string path, long offset, string reason)
    {
        if (!options.TruncateCorruptTail)
            throw new StorageCorruptException(path, offset, $"{reason}. Refusing to start: entries after this point would be lost. " +
                "Set TruncateCorruptTail to cut the log here (only if the rest of the cluster holds those entries).");
        LogCutCorrupt(logger, path, offset, reason);
    }

    /// <summary>Truncates the segment's file to its valid part (deleting it when not even its header is valid).</summary>
    private static void CutAt(LogSegment segment, List<LogSegment> segments, Durability durability, ILogger logger)
    {
        if (segment.Length < LogRecord.SegmentHeaderBytes)
        {
            segments.Remove(segment);
            segment.Dispose();
            DeleteFiles([segment.Path], logger);
            return;
        }
        RandomAccess.SetLength(segment.Handle, segment.Length);
        if (durability.SyncStructural) FileSystem.SyncFile(segment.Handle);
    }

    /// <summary>Deletes segments that lie entirely at or below the base (left by a compaction interrupted by a crash).</summary>
    private static bool DropCompacted(List<LogSegment> segments, ulong baseIndex, ILogger logger)
    {
        var covered = 0;
        while (covered < segments.Count && segments[covered].LastIndex <= baseIndex) covered++;
        if (covered == 0) return false;
        foreach (var s in segments.Take(covered)) s.Dispose();
        DeleteFiles(segments.Take(covered).Select(s => s.Path), logger);
        segments.RemoveRange(0, covered);
        return true;
    }

    private static void CheckBase(List<LogSegment> segments, ulong baseIndex, ulong baseTerm, string basePath)
    {
        if (segments.Count == 0 || segments[0].Count == 0) return;
        var first = segments[0];
        if (first.Contains(baseIndex) && first.TermAt(baseIndex) != baseTerm)
            throw new StorageCorruptException(first.Path, first.OffsetOf(baseIndex),
                $"entry {baseIndex} has term {first.TermAt(baseIndex)} but {basePath} says the base is {baseIndex}@{baseTerm}");
        if (first.TermAt(baseIndex + 1) < baseTerm)
            throw new StorageCorruptException(first.Path, first.OffsetOf(baseIndex + 1),
                $"entry {baseIndex + 1} has term {first.TermAt(baseIndex + 1)}, below the base term {baseTerm}");
    }

    private static List<(string Path, ulong First)> SegmentFiles(string directory)
    {
        var files = new List<(string, ulong)>();
        foreach (var path in System.IO.Directory.EnumerateFiles(directory, "*" + LogSegment.Extension))
        {
            if (LogSegment.TryParseFileName(Path.GetFileName(path), out var first)) files.Add((path, first));
        }
        files.Sort((a, b) => a.Item2.CompareTo(b.Item2));
        return files;
    }

    private static void DeleteFiles(IEnumerable<string> paths, ILogger logger)
    {
        foreach (var path in paths)
        {
            LogDeletingSegment(logger, path);
            File.Delete(path);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "log recovery: torn tail in {Path} at offset {Offset} ({Bytes} bytes: {Reason}); truncated (a write interrupted by a crash)")]
    private static partial void LogTornTail(ILogger logger, string path, long offset, long bytes, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "log recovery: corruption in {Path} at offset {Offset} ({Reason}); cutting the log there because TruncateCorruptTail is set: later entries are lost")]
    private static partial void LogCutCorrupt(ILogger logger, string path, long offset, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "log recovery: deleting segment {Path}")]
    private static partial void LogDeletingSegment(ILogger logger, string path);
}

namespace Cairn.Storage.Log;

/// <summary>What start-up found in one segment file.</summary>
internal enum ScanOutcome
{
    /// <summary>Header and every record valid to the end of the file.</summary>
    Clean,

    /// <summary>A damaged record with no valid record after it in the file: a write interrupted by a crash.</summary>
    Torn,

    /// <summary>A damaged or out-of-place record with valid records after it, or a valid record that breaks the log's order.</summary>
    Corrupt,
}

/// <summary>The segment as far as it is valid (its records are in memory), and where and why the scan stopped.</summary>
internal sealed record SegmentScan(LogSegment Segment, ScanOutcome Outcome, long ProblemOffset, string Reason);

/// <summary>
/// Reads one segment file (whole, into memory) and validates it record by record: checksum, index = previous + 1,
/// term never lower than the previous. Classifies the first problem as torn or corrupt by the one rule that tells a
/// crash from damage: a torn write leaves nothing valid after it.
/// </summary>
internal static class SegmentScanner
{
    public static SegmentScan Scan(string path, ulong firstIndex, ulong previousTerm)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        var segment = new LogSegment(path, firstIndex, handle, LogRecord.SegmentHeaderBytes);
        try
        {
            var bytes = new byte[checked((int)RandomAccess.GetLength(handle))];
            var read = 0;
            while (read < bytes.Length)
            {
                var n = RandomAccess.Read(handle, bytes.AsSpan(read), read);
                if (n == 0) break;
                read += n;
            }
            return Scan(segment, bytes.AsSpan(0, read), previousTerm);
        }
        catch
        {
            segment.Dispose();
            throw;
        }
    }

    private static SegmentScan Scan(LogSegment segment, ReadOnlySpan<byte> bytes, ulong previousTerm)
    {
        if (!LogRecord.IsValidSegmentHeader(bytes))
        {
            segment.Length = 0;
            var reason = bytes.Length < LogRecord.SegmentHeaderBytes ? "incomplete segment header" : "not a Cairn log segment header";
            return Problem(segment, bytes, 0, reason);
        }
        var position = LogRecord.SegmentHeaderBytes;
        var expected = segment.FirstIndex;
        while (position < bytes.Length)
        {
            var rest = bytes[position..];
            if (!LogRecord.TryValidate(rest, out var size, out var reason))
                return Problem(segment, bytes, position, reason);
            var index = LogRecord.IndexOf(rest);
            var term = LogRecord.TermOf(rest);
            if (index != expected)
                return new SegmentScan(segment, ScanOutcome.Corrupt, position, $"record holds index {index} where {expected} belongs");
            if (term < previousTerm)
                return new SegmentScan(segment, ScanOutcome.Corrupt, position, $"entry {index} has term {term}, below the previous entry's {previousTerm}");
            segment.Add(position, term);
            segment.Length = position + size;
            position += size;
            expected++;
            previousTerm = term;
        }
        return new SegmentScan(segment, ScanOutcome.Clean, position, "");
    }

    private static SegmentScan Problem(LogSegment segment, ReadOnlySpan<byte> bytes, int position, string reason)
    {
        var follows = ValidRecordAfter(bytes, position);
        return follows < 0
            ? new SegmentScan(segment, ScanOutcome.Torn, position, reason)
            : new SegmentScan(segment, ScanOutcome.Corrupt, position, $"{reason}; a valid record follows at offset {follows}");
    }

    /// <summary>The offset of the first whole valid record that starts after <paramref name="position"/>, or −1.</summary>
    private static int ValidRecordAfter(ReadOnlySpan<byte> bytes, int position)
    {
        for (var q = Math.Max(position + 1, LogRecord.SegmentHeaderBytes); q + LogRecord.OverheadBytes <= bytes.Length; q++)
        {
            if (LogRecord.TryValidate(bytes[q..], out _, out _)) return q;
        }
        return -1;
    }
}

using System.Globalization;
using System.Text;

namespace Cairn.FaultTests.Run;

/// <summary>One injected fault: what, on whom, from when to when (history clock ticks; End null while active).</summary>
public sealed class FaultRecord(string kind, string target, string detail, long start)
{
    public string Kind { get; } = kind;
    public string Target { get; } = target;
    public string Detail { get; set; } = detail;
    public long Start { get; } = start;
    public long? End { get; set; }
}

/// <summary>Every fault of a run with its start and end on the history's clock. Thread-safe (one lock).</summary>
public sealed class FaultLog(RunClock clock)
{
    private readonly List<FaultRecord> _records = [];
    private readonly Lock _gate = new();

    public FaultRecord Begin(string kind, string target, string detail = "")
    {
        var record = new FaultRecord(kind, target, detail, clock.Now);
        lock (_gate) _records.Add(record);
        return record;
    }

    public void End(FaultRecord record, string? detail = null)
    {
        lock (_gate)
        {
            record.End ??= clock.Now;
            if (detail is not null) record.Detail = detail;
        }
    }

    /// <summary>An instantaneous event (a restart by the supervisor, a membership step).</summary>
    public void Instant(string kind, string target, string detail = "") => End(Begin(kind, target, detail));

    public IReadOnlyList<FaultRecord> Records
    {
        get
        {
            lock (_gate) return [.. _records];
        }
    }

    public string Describe()
    {
        var text = new StringBuilder();
        foreach (var r in Records)
        {
            var end = r.End is { } e ? clock.Ms(e).ToString("0", CultureInfo.InvariantCulture) : "active";
            text.Append(CultureInfo.InvariantCulture, $"{clock.Ms(r.Start),8:0} .. {end,8} ms  {r.Kind,-12} {r.Target,-10} {r.Detail}\n");
        }
        return text.ToString();
    }
}

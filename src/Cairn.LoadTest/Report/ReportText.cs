using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Cairn.LoadTest;

/// <summary>The report for people (text) and for machines (JSON).</summary>
public static class ReportText
{
    public static string Json(BenchReport report) => JsonSerializer.Serialize(report, BenchJsonContext.Default.BenchReport);

    public static string Format(BenchReport r)
    {
        var t = new StringBuilder();
        var ic = CultureInfo.InvariantCulture;
        var mix = r.ReadRatio is { } ratio ? string.Create(ic, $" ({ratio:P0} reads)") : "";
        t.AppendLine(ic, $"cairn bench {r.Workload}{mix} on {r.Target}: {r.Keys} keys ({r.KeyPrefix}…), {r.Distribution}, {r.ValueBytes}-byte values{(r.Consistency is null ? "" : ", consistency=" + r.Consistency)}");
        var bound = r.Requests is { } n ? $"{n} requests" : string.Create(ic, $"{r.DurationSeconds:0.###} s");
        var loop = r.Loop == "open" ? string.Create(ic, $"open loop at {r.RatePerSecond:0.#}/s") : "closed loop";
        t.AppendLine(ic, $"  {string.Join(", ", r.Servers)}; {r.Connections} connections; {loop}; {bound}");
        if (r.Preload is { } p) t.AppendLine(ic, $"  preload: {p.Operations} writes in {p.Seconds:F2} s, {p.Errors} errors{Kinds(p.ErrorsByKind)}");
        t.AppendLine(ic, $"  {r.Operations} operations in {r.ElapsedSeconds:F2} s = {r.ThroughputPerSecond:F0} ops/s; {r.Errors} errors{(r.Cancelled ? " (cancelled)" : "")}");
        t.AppendLine(ic, $"  latency from {r.LatencyMeasuredFrom}, ms (±{r.HistogramRelativeErrorMax:P1}):");
        t.AppendLine("    operation       count      mean       p50       p90       p99     p99.9       max");
        Row(t, "all", r.Latency);
        foreach (var op in r.ByOperation) Row(t, op.Operation, op.Latency);
        if (r.ErrorsByKind.Count > 0)
        {
            t.AppendLine("  errors by kind:");
            foreach (var (kind, count) in r.ErrorsByKind) t.AppendLine(ic, $"    {count,10}  {kind}");
        }
        if (r.CasRetries > 0 || r.CasGaveUp > 0) t.AppendLine(ic, $"  cas: {r.CasRetries} retries after 412, {r.CasGaveUp} gave up");
        if (r.Verify is { } v)
        {
            t.AppendLine(ic, $"  verify: {v.ReadsCompared} reads compared with acknowledged writes{(v.FinalSweep ? " (during the run and a final sweep)" : " (no final sweep: cancelled)")}, {v.Mismatches} mismatches, {v.Unverifiable} unverifiable");
            foreach (var m in v.Examples) t.AppendLine(ic, $"    MISMATCH {m.Key}: {m.Problem}");
        }
        if (r.Check is { } c)
        {
            t.AppendLine(c.Checked
                ? $"  check: {c.Operations} operations, {c.Anomalies} anomalies{(c.Inconclusive > 0 ? $", {c.Inconclusive} keys inconclusive" : "")}"
                : $"  check: {c.Operations} operations recorded; {c.Description}");
            if (c.Checked && !c.Passed) t.AppendLine(Indent(c.Description));
            if (c.HistoryPath is not null) t.AppendLine(ic, $"  history: {c.HistoryPath}");
        }
        return t.ToString();
    }

    private static void Row(StringBuilder t, string name, LatencySummary l) =>
        t.AppendLine(CultureInfo.InvariantCulture,
            $"    {name,-11} {l.Count,9} {l.MeanMs,9:F3} {l.P50Ms,9:F3} {l.P90Ms,9:F3} {l.P99Ms,9:F3} {l.P999Ms,9:F3} {l.MaxMs,9:F3}");

    private static string Kinds(IReadOnlyDictionary<string, long> kinds) =>
        kinds.Count == 0 ? "" : " (" + string.Join(", ", kinds.Select(k => $"{k.Key}: {k.Value}")) + ")";

    private static string Indent(string text) =>
        string.Join('\n', text.TrimEnd().Split('\n').Select(l => "    " + l));
}

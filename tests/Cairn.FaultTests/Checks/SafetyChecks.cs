using System.Globalization;
using Cairn.Checking;
using Cairn.FaultTests.Clients;
using Cairn.FaultTests.Run;

namespace Cairn.FaultTests.Checks;

/// <summary>A key's value and mod revision in the final (converged) state.</summary>
public sealed record FinalItem(string Key, string? Value, long ModRevision);

/// <summary>
/// The checks beyond linearizability, over the client records, the committed log and the final state. Each returns
/// every anomaly it found (the report prints the first few of each type and counts all). Stateless.
/// </summary>
public static class SafetyChecks
{
    /// <summary>
    /// Lost acknowledged writes: a write (or swapped cas) answered 2xx at revision r must be that put in the committed
    /// log at r; where no node's feed covers r, the final state must be at r or later for the key (and hold the value
    /// if exactly at r). Returns the anomalies and how many acknowledged writes could not be verified either way.
    /// </summary>
    public static (List<Anomaly> Anomalies, int Unverified) LostWrites(IReadOnlyList<OpRecord> records, CommittedLog log,
        IReadOnlyDictionary<string, FinalItem> final, RunClock clock)
    {
        var anomalies = new List<Anomaly>();
        var unverified = 0;
        foreach (var r in records.Where(r => r.AcknowledgedChange))
        {
            if (r.ModRevision is not { } revision)
            {
                unverified++;
                continue;
            }
            if (log.Covers(revision))
            {
                var there = log.At(revision);
                if (!there.Any(e => e.Type == "put" && e.Key == r.Key && e.Value == r.Value))
                    anomalies.Add(new Anomaly("lost-write", $"{Describe(r, clock)} was acknowledged at revision {revision}, but the committed log has [{string.Join("; ", there)}] there"));
                continue;
            }
            if (!final.TryGetValue(r.Key, out var item))
            {
                unverified++; // absent at the end: deleted later, or lost; the log does not cover it, so nothing proves either
                continue;
            }
            if (item.ModRevision < revision || (item.ModRevision == revision && item.Value != r.Value))
                anomalies.Add(new Anomaly("lost-write", $"{Describe(r, clock)} was acknowledged at revision {revision}, but the final state has {r.Key}=\"{item.Value}\" at revision {item.ModRevision}"));
        }
        return (anomalies, unverified);
    }

    /// <summary>
    /// Duplicate applies: every value is written by one request only, so a value put at two revisions (in the
    /// committed log) or seen with two mod revisions (in answers) was applied twice.
    /// </summary>
    public static List<Anomaly> Duplicates(IReadOnlyList<OpRecord> records, CommittedLog log, string tag)
    {
        var anomalies = new List<Anomaly>();
        foreach (var group in log.Events.Where(e => e.Type == "put" && e.Value is not null && e.Value.StartsWith(tag, StringComparison.Ordinal)).GroupBy(e => e.Value!))
        {
            var revisions = group.Select(e => e.Revision).Distinct().Order().ToList();
            if (revisions.Count > 1)
                anomalies.Add(new Anomaly("duplicate-apply", $"value \"{group.Key}\" was put at revisions {string.Join(", ", revisions)} (key {group.First().Key})"));
        }
        var seen = records.Where(r => r.ModRevision is not null && (r.AcknowledgedChange || (r.Kind == OpKind.Read && r.Observed is not null)))
            .GroupBy(r => r.AcknowledgedChange ? r.Value! : r.Observed!);
        foreach (var group in seen)
        {
            var revisions = group.Select(r => r.ModRevision!.Value).Distinct().Order().ToList();
            if (revisions.Count > 1 && !anomalies.Any(a => a.Detail.Contains($"\"{group.Key}\"", StringComparison.Ordinal)))
                anomalies.Add(new Anomaly("duplicate-apply", $"value \"{group.Key}\" was answered with mod revisions {string.Join(", ", revisions)}"));
        }
        return anomalies;
    }

    /// <summary>
    /// Stale reads: a linearizable read invoked after some write was acknowledged at revision r must answer from a
    /// view at revision r or later (X-Cairn-Revision), whatever the keys: Cairn's revisions are global.
    /// </summary>
    public static List<Anomaly> StaleReads(IReadOnlyList<OpRecord> records, RunClock clock)
    {
        var acks = records.Where(r => r.Outcome == OpOutcome.Ok && r.Kind != OpKind.Read && (r.ModRevision ?? r.ViewRevision) is not null)
            .OrderBy(r => r.Complete).ToList();
        var completes = acks.Select(r => r.Complete).ToArray();
        var maxUpTo = new (long Revision, OpRecord? By)[acks.Count];
        (long Revision, OpRecord? By) running = (0, null);
        for (var i = 0; i < acks.Count; i++)
        {
            var revision = Math.Max(acks[i].ModRevision ?? 0, acks[i].ViewRevision ?? 0);
            if (revision > running.Revision) running = (revision, acks[i]);
            maxUpTo[i] = running;
        }
        var anomalies = new List<Anomaly>();
        foreach (var read in records.Where(r => r.Kind == OpKind.Read && r.Outcome == OpOutcome.Ok && r.ViewRevision is not null))
        {
            var last = FirstAtOrAfter(completes, read.Invoke) - 1; // the last acknowledgement strictly before the read
            if (last < 0) continue;
            var (floor, by) = maxUpTo[last];
            if (floor > read.ViewRevision)
                anomalies.Add(new Anomaly("stale-read", $"{Describe(read, clock)} answered from revision {read.ViewRevision}, but {Describe(by!, clock)} had been acknowledged at revision {floor} before the read was sent"));
        }
        return anomalies;
    }

    private static int FirstAtOrAfter(long[] sorted, long value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    public static string Describe(OpRecord r, RunClock clock)
    {
        var what = r.Kind switch
        {
            OpKind.Read => $"read {r.Key} -> {(r.Observed is null ? "absent" : $"\"{r.Observed}\"")}",
            OpKind.Write => $"write {r.Key}=\"{r.Value}\"",
            OpKind.Cas => $"cas {r.Key} \"{r.Expected ?? "absent"}\"->\"{r.Value}\" {(r.Swapped == true ? "swapped" : "mismatch")}",
            _ => $"delete {r.Key}",
        };
        return string.Create(CultureInfo.InvariantCulture,
            $"c{r.Client} {what} on {r.Nodes} [{clock.Ms(r.Invoke):0}, {clock.Ms(r.Complete):0}] ms ({r.Answer})");
    }
}

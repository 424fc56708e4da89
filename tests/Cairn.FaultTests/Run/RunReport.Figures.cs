using System.Globalization;
using System.Text;
using Cairn.Checking;
using Cairn.FaultTests.Checks;
using Cairn.FaultTests.Clients;

namespace Cairn.FaultTests.Run;

public sealed partial class RunReport
{
    private static readonly string[] AnomalyTypes =
        ["linearizability", "lost-write", "duplicate-apply", "stale-read", "divergent-history", "node-down", "no-convergence", "final-write-failed", "membership-mismatch"];

    /// <summary>Ok operations per second completed in [from, to) (history ticks).</summary>
    public double Throughput(long from, long to)
    {
        if (to <= from) return 0;
        var ok = Records.Count(r => r.Outcome == OpOutcome.Ok && r.Complete >= from && r.Complete < to);
        return ok / (RunClock.Span(from, to) / 1000.0);
    }

    /// <summary>Latency percentile (0–100) of Ok operations of <paramref name="kind"/> (null: all kinds), in ms.</summary>
    public double Percentile(double p, OpKind? kind = null)
    {
        var latencies = Records.Where(r => r.Outcome == OpOutcome.Ok && (kind is null || r.Kind == kind) && r.Client < Spec.Clients)
            .Select(r => r.LatencyMs).Order().ToList();
        if (latencies.Count == 0) return double.NaN;
        return latencies[Math.Clamp((int)Math.Ceiling(p / 100.0 * latencies.Count) - 1, 0, latencies.Count - 1)];
    }

    /// <summary>Share of the clients' operations that completed Ok (reads, writes, cas, deletes together).</summary>
    public double SuccessRate
    {
        get
        {
            var ops = Records.Where(r => r.Client < Spec.Clients).ToList();
            return ops.Count == 0 ? 0 : ops.Count(r => r.Outcome == OpOutcome.Ok) / (double)ops.Count;
        }
    }

    /// <summary>The figures every run prints (RELIABILITY.md): operations, throughput by phase, latency, faults, leaders, recovery, anomalies.</summary>
    public string Figures()
    {
        var ic = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(ic, $"=== {Spec.Name} seed {Spec.Seed} ({Tier.Name} tier): {(Passed ? "PASSED" : "FAILED")}\n");
        if (Crash is not null) text.Append(ic, $"run failed: {Crash.GetType().Name}: {Crash.Message}\n");
        text.Append("operations (ok / fail / unknown):");
        foreach (var kind in Enum.GetValues<OpKind>())
        {
            var ops = Records.Where(r => r.Kind == kind && r.Client < Spec.Clients).ToList();
            text.Append(ic, $"  {kind.ToString().ToLowerInvariant()} {ops.Count(r => r.Outcome == OpOutcome.Ok)}/{ops.Count(r => r.Outcome == OpOutcome.Fail)}/{ops.Count(r => r.Outcome == OpOutcome.Unknown)}");
            if (kind == OpKind.Cas) text.Append(ic, $" (swapped {ops.Count(r => r.Swapped == true)}, mismatch {ops.Count(r => r.Swapped == false)})");
        }
        text.Append(ic, $"; success {SuccessRate:P1}; retried {Records.Count(r => r.Attempts > 1)}\n");
        text.Append(ic, $"throughput (ok ops/s): before faults {Throughput(ClientsStarted, FaultsStarted):F0}, during {Throughput(FaultsStarted, Healed):F0}, after heal {Throughput(Healed, ClientsStopped):F0}\n");
        text.Append(ic, $"latency of ok ops: p50 {Percentile(50):F1} ms, p99 {Percentile(99):F1} ms (reads p99 {Percentile(99, OpKind.Read):F1}, writes p99 {Percentile(99, OpKind.Write):F1}, cas p99 {Percentile(99, OpKind.Cas):F1})\n");
        var faults = Run.Faults.Records.Where(f => f.Kind != "heal-all").GroupBy(f => f.Kind).Select(g => $"{g.Key} {g.Count()}");
        text.Append(ic, $"faults: {string.Join(", ", faults.DefaultIfEmpty("none"))}\n");
        text.Append(ic, $"leader changes: {Leaders?.LeaderChanges ?? 0} (terms with a leader seen: {string.Join(" ", (Leaders?.Terms ?? []).Select(t => $"{t.Term}:{t.Leader}"))})\n");
        text.Append(ic, $"recovery after the last heal: first acknowledged write {Format(RecoveryMs)}, final write {(FinalWriteOk ? $"acknowledged in {FinalWriteMs:F0} ms" : "NOT acknowledged")}, ");
        text.Append(ic, $"converged {(Converged is { } c ? $"{RunClock.Span(FinalWrite, c):F0} ms after it at revision {ConvergedRevision}" : "NO")}\n");
        if (FinalMembership is not null) text.Append(ic, $"final membership (every node): {FinalMembership}\n");
        if (Linearizability is { } lin)
            text.Append(ic, $"linearizability: {lin.Verdict}: {lin.Operations} ops, {lin.Keys.Count} keys ({IllegalKeys} illegal, {lin.UnknownKeys.Count()} unknown) in {lin.Elapsed.TotalMilliseconds:F0} ms\n");
        text.Append(ic, $"anomalies: {string.Join(", ", AnomalyTypes.Select(t => $"{t} {Count(t)}"))}; acknowledged writes not verifiable {UnverifiedAcks}\n");
        text.Append(ic, $"committed log read from: {Log?.Describe() ?? "-"}\n");
        foreach (var group in Anomalies.GroupBy(a => a.Type))
        {
            foreach (var a in group.Take(5)) text.Append("  ").Append(a).Append('\n');
            if (group.Count() > 5) text.Append(ic, $"  … {group.Count() - 5} more {group.Key}\n");
        }
        if (Linearizability?.Verdict == Verdict.Illegal) text.Append(Linearizability.Describe());
        foreach (var failure in CriteriaFailures) text.Append("criterion failed: ").Append(failure).Append('\n');
        var errors = Run.Errors;
        text.Append(ic, $"unexpected answers: {errors.Count}\n");
        foreach (var e in errors.Take(5)) text.Append("  ").Append(e).Append('\n');
        text.Append("fault log (ms since the run started):\n").Append(Run.Faults.Describe());
        return text.ToString();
    }

    private static string Format(double? ms) => ms is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v:F0} ms after the heal") : "none";
}

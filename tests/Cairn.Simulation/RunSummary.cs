using System.Globalization;
using System.Text;
using Cairn.Consensus;
using Cairn.Checking;

namespace Cairn.Simulation;

/// <summary>The figures of a set of seeds: speed, operations checked, faults by kind, what the protocol went through.</summary>
internal sealed class RunSummary(IReadOnlyList<SimResult> results, TimeSpan elapsed, Teeth faults)
{
    public IReadOnlyList<SimResult> Results { get; } = results;
    public TimeSpan Elapsed { get; } = elapsed;
    public IReadOnlyList<SimResult> Failures => [.. Results.Where(r => !r.Passed)];

    public string Describe()
    {
        var text = new StringBuilder();
        var n = Math.Max(1, Results.Count);
        var ops = Results.Sum(r => r.Operations);
        var checkedOps = Results.Sum(r => r.History is null ? 0 : r.History.OperationsOk + r.History.OperationsUnknown);
        Line(text, $"seeds: {Results.Count} ({Results.Count(r => r.Options.InitialVoters == 3)} × 3 nodes, {Results.Count(r => r.Options.InitialVoters == 5)} × 5 nodes), " +
                   $"{Failures.Count} failed, teeth={faults}, {Elapsed.TotalSeconds:F1} s, {Results.Count / Math.Max(0.001, Elapsed.TotalSeconds):F1} seeds/s " +
                   $"({Runner.WorkersMax} workers, {Results.Average(r => r.Elapsed.TotalMilliseconds):F0} ms per seed)");
        Line(text, $"simulated ticks per seed: {Results.Average(r => r.Ticks):F0}; trace events per seed: {Results.Average(r => r.TraceEvents):F0}");
        Line(text, $"client operations checked (ok + unknown): {checkedOps} ({checkedOps / (double)n:F0} per run), recorded {ops} ({ops / (double)n:F0} per run); " +
                   $"by kind ok/fail/unknown: {Outcomes()}");
        var unknownKeys = Results.Where(r => r.History is not null).SelectMany(r => r.History!.UnknownKeys.Select(k => $"seed {r.Seed} key {k.Key}")).ToList();
        Line(text, $"unknown-verdict keys (checker budget): {unknownKeys.Count}{(unknownKeys.Count > 0 ? ": " + string.Join(", ", unknownKeys.Take(20)) : "")}");
        Line(text, "faults per run by kind: " + string.Join(", ", Enum.GetValues<FaultKind>().Select(k =>
            $"{k} {Results.Sum(r => r.FaultCounts[(int)k]) / (double)n:F1}")));
        Line(text, $"faults per run: {Results.Sum(r => r.FaultCounts.Sum()) / (double)n:F1}; messages per run: sent {Results.Sum(r => r.MessagesSent) / n}, " +
                   $"lost {Results.Sum(r => r.MessagesLost) / n}, duplicated {Results.Sum(r => r.MessagesDuplicated) / n}, cut by partitions {Results.Sum(r => r.MessagesCutOff) / n}");
        Line(text, $"protocol per run: elections won {Avg(r => r.LeadersElected)}, leader changes {Avg(r => r.Stats.LeaderChanges)}, " +
                   $"rejected appends {Avg(r => r.Stats.AppendsRejected)}, log truncations {Avg(r => r.Stats.LogTruncations)}, " +
                   $"snapshots created {Avg(r => r.Stats.SnapshotsCreated)}, snapshot transfers {Avg(r => r.Stats.SnapshotTransfersStarted)} " +
                   $"({Avg(r => r.Stats.SnapshotChunksSent)} chunks), snapshots installed {Avg(r => r.Stats.SnapshotsInstalled)}, " +
                   $"membership changes committed {Avg(r => r.Stats.MembershipChangesCommitted)} (recovering voters demoted {Avg(r => r.Stats.RecoveringVotersDemoted)}, " +
                   $"recovered learners promoted {Avg(r => r.Stats.RecoveredLearnersPromoted)}), transfers completed {Avg(r => r.Stats.TransfersCompleted)}, " +
                   $"restarts {Avg(r => r.Stats.Restarts)}, commands applied {Avg(r => r.Stats.CommandsApplied)}");
        Line(text, $"seeds with: a truncation {Results.Count(r => r.Stats.LogTruncations > 0)}, a snapshot install {Results.Count(r => r.Stats.SnapshotsInstalled > 0)}, " +
                   $"a committed membership change {Results.Count(r => r.Stats.MembershipChangesCommitted > 0)}, ≥ 3 leader changes {Results.Count(r => r.Stats.LeaderChanges >= 3)}");
        Line(text, $"storage: {Results.Count(r => r.Options.Storage == StorageMode.Durable)} durable runs, {Results.Count(r => r.Options.Storage == StorageMode.InMemory)} in memory; " +
                   $"crashes per run: process {Avg(r => r.Stats.CrashesByKind[(int)CrashKind.Process])}, power loss {Avg(r => r.Stats.CrashesByKind[(int)CrashKind.PowerLoss])}, " +
                   $"amnesia {Avg(r => r.Stats.CrashesByKind[(int)CrashKind.Amnesia])}; empty nodes started fresh by their probe: {Results.Sum(r => r.Stats.ProbesStartedFresh)}");
        if (Results.Any(r => r.Options.AmnesicMajority))
        {
            Line(text, $"amnesic majority: {Results.Count(r => r.Refused)} runs refused (no convergence after the wipe, allowed), " +
                       $"{Results.Count(r => r.Passed && !r.Refused && r.Options.AmnesicMajority)} converged");
        }
        var converged = Results.Where(r => r.Passed && !r.Refused).Select(r => r.ConvergedAfterTicks).DefaultIfEmpty(0).ToList();
        Line(text, $"liveness: converged after {converged.Average():F0} ticks on average, {converged.Max()} at most");
        if (Failures.Count > 0)
        {
            Line(text, "failures by kind: " + string.Join(", ", Failures.GroupBy(f => f.Failure!.Kind).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")));
            Line(text, "failed seeds: " + string.Join(' ', Failures.Select(f => f.Seed).Order().Take(100)));
            foreach (var f in Failures.OrderBy(f => f.Seed).Take(100))
            {
                var message = f.Failure!.Message;
                var firstLine = message[..Math.Min(message.IndexOf('\n') is var nl and >= 0 ? nl : message.Length, 160)];
                Line(text, $"  seed {f.Seed} ({f.Options.Storage}, {f.Failure.Kind}): {firstLine}");
            }
        }
        foreach (var failure in Failures.Take(10)) text.Append(failure.Failure!.Describe(failure.Seed));
        return text.ToString();

        string Avg(Func<SimResult, double> f) => (Results.Sum(f) / n).ToString("F1", CultureInfo.InvariantCulture);
    }

    private string Outcomes()
    {
        var parts = new List<string>();
        foreach (var kind in Enum.GetValues<OpKind>())
        {
            var k = (int)kind;
            parts.Add($"{kind} {Results.Sum(r => r.Outcomes[k, 0])}/{Results.Sum(r => r.Outcomes[k, 1])}/{Results.Sum(r => r.Outcomes[k, 2])}");
        }
        return string.Join(", ", parts);
    }

    private static void Line(StringBuilder text, string line) => text.Append(line).Append('\n');
}

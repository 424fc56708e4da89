using Cairn.Checking;
using Cairn.FaultTests.Checks;
using Cairn.FaultTests.Clients;

namespace Cairn.FaultTests.Run;

/// <summary>
/// Everything one run produced: the phases' times, the history and records, the fault log, the checker's result, the
/// anomalies by type and the recovery figures. <see cref="Passed"/> is the common pass rule (no illegal key, no
/// anomaly, a final write, convergence, no crash of the run itself); scenarios add their own criteria.
/// </summary>
/// <remarks>Filled by <see cref="FaultRun"/> on one thread, read by the test after the run.</remarks>
public sealed partial class RunReport(RunSpec spec, RunContext run)
{
    /// <summary>Budgets of the linearizability check (Unknown keys are reported, never counted as violations).</summary>
    public static readonly CheckOptions CheckerOptions = new() { TotalTimeMax = TimeSpan.FromMinutes(3), PerKeyTimeMax = TimeSpan.FromSeconds(60) };

    public RunSpec Spec { get; } = spec;

    public RunContext Run { get; } = run;

    public LeaderMonitor? Leaders { get; set; }

    public long ClientsStarted { get; set; }
    public long FaultsStarted { get; set; }
    public long Healed { get; set; }
    public long ClientsStopped { get; set; }
    public long FinalWrite { get; set; }
    public long? Converged { get; set; }
    public long ConvergedRevision { get; set; }
    public bool FinalWriteOk { get; set; }
    public double FinalWriteMs { get; set; }
    public string? FinalMembership { get; set; }

    public CommittedLog? Log { get; set; }

    public Dictionary<string, FinalItem> Final { get; set; } = [];

    public IReadOnlyList<Operation> History { get; private set; } = [];

    public IReadOnlyList<OpRecord> Records { get; private set; } = [];

    public CheckResult? Linearizability { get; private set; }

    public List<Anomaly> Anomalies { get; } = [];

    public int UnverifiedAcks { get; private set; }

    /// <summary>The run itself failed (a node could not be restarted, an unexpected exception).</summary>
    public Exception? Crash { get; set; }

    public string? ArtifactsDirectory { get; set; }

    /// <summary>The scenario's own pass criteria that did not hold (recovery bounds, leader changes, availability…).</summary>
    public List<string> CriteriaFailures { get; } = [];

    public bool Passed => Crash is null && Linearizability is { Verdict: not Verdict.Illegal } && Anomalies.Count == 0 && CriteriaFailures.Count == 0;

    public int Count(string anomalyType) => Anomalies.Count(a => a.Type == anomalyType);

    public int IllegalKeys => Linearizability?.IllegalKeys.Count() ?? 0;

    public int Violations => IllegalKeys;

    /// <summary>Milliseconds from the heal to the first write acknowledged after it (null: none).</summary>
    public double? RecoveryMs => Records.Where(r => r.Outcome == OpOutcome.Ok && r.Kind != OpKind.Read && r.Complete > Healed && Healed > 0)
        .Select(r => (double?)RunClock.Span(Healed, r.Complete)).Min();

    /// <summary>Runs every check on the recorded history (called once, after the finish).</summary>
    public void Check()
    {
        History = Run.Recorder.Snapshot();
        Records = [.. Run.Records.OrderBy(r => r.Index)];
        Linearizability = LinearizabilityChecker.Check(History, CheckerOptions);
        var log = Log ?? new CommittedLog([]);
        Anomalies.AddRange(log.Anomalies);
        var (lost, unverified) = SafetyChecks.LostWrites(Records, log, Final, Run.Clock);
        UnverifiedAcks = unverified;
        Anomalies.AddRange(lost);
        Anomalies.AddRange(SafetyChecks.Duplicates(Records, log, Run.Tag));
        Anomalies.AddRange(SafetyChecks.StaleReads(Records, Run.Clock));
        if (Linearizability.Verdict == Verdict.Illegal)
        {
            foreach (var key in Linearizability.IllegalKeys) Anomalies.Add(new Anomaly("linearizability", $"key {key.Key} is not linearizable"));
        }
    }

    /// <summary>A one-paragraph reason for a failed assertion, naming the evidence folder.</summary>
    public string FailureMessage() =>
        $"{Spec.Name} seed {Spec.Seed} failed: {string.Join("; ", CriteriaFailures.DefaultIfEmpty("anomalies found"))}\n{(Crash is null ? "" : $"the run failed: {Crash}\n")}" +
        $"{string.Join('\n', Anomalies.GroupBy(a => a.Type).Select(g => $"{g.Key}: {g.Count()} (first: {g.First().Detail})"))}\n" +
        $"{Linearizability?.Describe()}\nevidence (history, fault log, node logs, seed): {ArtifactsDirectory ?? "(not saved)"}\n" +
        $"replay: {Tier.SeedVariable}={Spec.Seed} dotnet test -c Release tests/Cairn.FaultTests --filter \"FullyQualifiedName~{Spec.Name}\"";
}

using Cairn.FaultTests.Clients;
using Cairn.SystemTests.Harness;

namespace Cairn.FaultTests.Run;

/// <summary>
/// Runs one fault scenario end to end on real processes: start the cluster (relays on every peer link), run the
/// clients (warm-up, fault phase with the nemesis, cool-down after healing everything), a final write that must be
/// acknowledged, convergence (equal applied index and state hash everywhere), then the checks, the figures and, on
/// failure, the saved evidence. Returns the <see cref="RunReport"/>; the scenario asserts its own pass criteria on it.
/// </summary>
/// <remarks>One run at a time (the fault collection is serial); the run owns every process it starts and stops them by PID.</remarks>
public static partial class FaultRun
{
    /// <summary>Arguments every node of a fault run gets: short timeouts (so clients see outcomes quickly) and a fast progress tick on the change feed.</summary>
    public static readonly IReadOnlyList<string> BaseArgs =
    [
        "--Cairn:Api:WriteTimeoutMs=2500",
        "--Cairn:Cluster:ForwardTimeoutMs=2000",
        "--Cairn:Node:ReadTimeoutMs=2000",
        "--Cairn:Watch:ProgressIntervalMs=200",
        // The change feed must reach back to revision 0 for the lost-write and duplicate checks, even in 5-minute runs.
        "--Cairn:Watch:HistoryEventsMax=400000",
        "--Cairn:Watch:HistoryBytesMax=134217728",
        "--Cairn:Cluster:MaintenanceIntervalMs=100",
    ];

    /// <param name="criteria">The scenario's own pass criteria: each returns why it failed, or null.</param>
    /// <param name="saveOnFailure">Save the evidence when the run fails (teeth tests, which expect failures, do not).</param>
    public static async Task<RunReport> ExecuteAsync(RunSpec spec, ITestOutputHelper output, IReadOnlyList<Func<RunReport, string?>>? criteria = null,
        bool saveOnFailure = true)
    {
        output.WriteLine($"fault run ({Tier.Name} tier): {spec.Describe()}");
        var clusterSpec = new ClusterSpec
        {
            Size = spec.ClusterSize,
            Relays = true,
            ExtraArgs = [.. BaseArgs, .. spec.ExtraArgs],
            NodeEnvironment = name => NodeEnvironment(spec, name),
        };
        await using var cluster = await TestCluster.StartAsync($"faults-{spec.Name}-s{spec.Seed}", clusterSpec);
        var run = new RunContext(spec, cluster, [.. cluster.Names]);
        var report = new RunReport(spec, run);
        try
        {
            await DriveAsync(run, report);
            await FinishAsync(run, report);
            report.Check();
            foreach (var criterion in criteria ?? []) if (criterion(report) is { } failed) report.CriteriaFailures.Add(failed);
        }
        catch (Exception e)
        {
            report.Crash = e;
        }
        output.WriteLine(report.Figures());
        if ((!report.Passed && saveOnFailure) || Environment.GetEnvironmentVariable("CAIRN_FAULTS_KEEP") == "1")
        {
            report.ArtifactsDirectory = Artifacts.Save(report, cluster);
            output.WriteLine($"evidence saved in {report.ArtifactsDirectory}");
        }
        return report;
    }

    private static async Task DriveAsync(RunContext run, RunReport report)
    {
        var spec = run.Spec;
        var seeds = new Random(spec.Seed);
        var monitor = report.Leaders = new LeaderMonitor(run.Cluster, run.Clock);
        using var monitorStop = new CancellationTokenSource();
        using var clientsStop = new CancellationTokenSource();
        using var supervisorStop = new CancellationTokenSource();
        var monitoring = monitor.RunAsync(monitorStop.Token);
        var clients = Enumerable.Range(0, spec.Clients).Select(i => new WorkloadClient(i, run, new Random(seeds.Next()))).ToList();
        report.ClientsStarted = run.Clock.Now;
        var clientTasks = clients.Select(c => Task.Run(() => c.RunAsync(clientsStop.Token))).ToList();
        var nemesis = new Nemesis.Nemesis(run, monitor, new Random(seeds.Next()));
        var supervising = spec.Supervise ? nemesis.SuperviseAsync(supervisorStop.Token) : Task.CompletedTask;
        try
        {
            await Task.Delay(spec.Warmup); // phase: clients without faults
            report.FaultsStarted = run.Clock.Now;
            using (var faultPhase = new CancellationTokenSource(spec.ScaleWithTier ? Tier.FaultPhase(spec.FaultPhase) : spec.FaultPhase))
            {
                await Task.WhenAll(
                    spec.Script is { } script ? script(run, monitor, faultPhase.Token) : nemesis.RunAsync(faultPhase.Token),
                    spec.Membership ? nemesis.MembershipAsync(faultPhase.Token) : Task.CompletedTask,
                    spec.Faults == FaultKinds.None && !spec.Membership && spec.Script is null ? PhaseAsync(faultPhase.Token) : Task.CompletedTask);
            }
            await supervisorStop.CancelAsync();
            await supervising;
            await nemesis.HealAllAsync();
            report.Healed = run.Clock.Now;
            await Task.Delay(spec.Cooldown); // phase: clients after the heal
        }
        finally
        {
            await clientsStop.CancelAsync();
            await Task.WhenAll(clientTasks);
            report.ClientsStopped = run.Clock.Now;
            await supervisorStop.CancelAsync();
            await supervising;
            await monitorStop.CancelAsync();
            await monitoring;
        }
    }

    /// <summary>The environment variable that arms the server's failpoints (S10); removed again by the heal.</summary>
    public const string CrashPointsVariable = "CAIRN__Cairn__Cluster__Testing__CrashPoints";

    public const string CrashProbabilityVariable = "CAIRN__Cairn__Cluster__Testing__CrashProbability";

    private static Dictionary<string, string?> NodeEnvironment(RunSpec spec, string name)
    {
        var env = new Dictionary<string, string?>(ClockSkew.Environment(spec.ClockSkew?.Invoke(name)));
        if (spec.Failpoints is { } points
            && (spec.FailpointNodes?.Contains(name) ?? name != $"n{spec.ClusterSize.ToString(System.Globalization.CultureInfo.InvariantCulture)}"))
        {
            env[CrashPointsVariable] = points;
            env[CrashProbabilityVariable] = spec.FailpointProbability.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return env;
    }

    // A scenario without faults still has a "during" phase of the same length, so its figures compare.
    private static async Task PhaseAsync(CancellationToken end)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, end); // phase length
        }
        catch (OperationCanceledException)
        {
        }
    }
}

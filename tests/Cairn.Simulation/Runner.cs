using System.Diagnostics;
using Cairn.Consensus;
using Cairn.Checking;

namespace Cairn.Simulation;

/// <summary>
/// Runs seeds (each one a fully independent world) on up to two workers, and turns every failure into a report with
/// the seed, the tail of the fault log and a one-line replay command.
/// </summary>
internal static class Runner
{
    public const int DefaultSeedCount = 500;
    public const int DefaultSeedStart = 1;

    /// <summary>This CI box has two cores; seeds are independent, so two workers use both.</summary>
    public const int WorkersMax = 2;

    private const int FaultLogTailLines = 40;

    /// <summary>Step budget only (no time budget): the verdict of a seed must not depend on the machine's speed.</summary>
    private static readonly CheckOptions HistoryCheck = new() { PerKeyStepsMax = 2_000_000, PerKeyTimeMax = null, TotalTimeMax = null };

    /// <summary>The tier from the environment: CAIRN_SIM_SEEDS=N (default 500) seeds from CAIRN_SIM_SEED_START (default 1).</summary>
    public static (int Start, int Count) TierFromEnvironment() =>
        (EnvInt("CAIRN_SIM_SEED_START") ?? DefaultSeedStart, EnvInt("CAIRN_SIM_SEEDS") ?? DefaultSeedCount);

    public static int? EnvInt(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) && value > 0 ? value : null;

    /// <summary>CAIRN_SIM_TEETH names a <see cref="TestingFaults"/> or <see cref="DriverFaults"/> switch for replaying a teeth seed.</summary>
    public static Teeth TeethFromEnvironment() => Teeth.Parse(Environment.GetEnvironmentVariable("CAIRN_SIM_TEETH"));

    /// <summary>CAIRN_SIM_MODE names <see cref="SimMode"/> flags (comma-separated) for replaying a seed of a variant.</summary>
    public static SimMode ModeFromEnvironment() =>
        Enum.TryParse<SimMode>(Environment.GetEnvironmentVariable("CAIRN_SIM_MODE"), out var mode) ? mode : SimMode.Default;

    public static SimResult RunSeed(int seed, Teeth faults = default, SimMode mode = SimMode.Default)
    {
        var clock = Stopwatch.StartNew(); // figures only; nothing in the run reads it
        var options = SimOptions.FromSeed(seed, faults, mode);
        var cluster = new Cluster(options);
        SimFailure? failure = null;
        CheckResult? history = null;
        try
        {
            cluster.Run();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            failure = ToFailure(e, cluster, seed, faults);
        }
        if (failure is null or { Kind: ViolationKind.Liveness })
        {
            // Even a run that did not converge has a history worth checking: a breach is the more important finding.
            history = LinearizabilityChecker.Check(cluster.Clients.Recorder.Snapshot(), HistoryCheck);
            if (history.Verdict == Verdict.Illegal)
            {
                var text = history.Describe();
                failure = ToFailure(new SimulationViolation(ViolationKind.NotLinearizable, text.Length > 6_000 ? text[..6_000] + "…" : text),
                    cluster, seed, faults);
            }
        }
        // A majority of the voters lost their state at once: the cluster may rightly refuse to elect anyone (it cannot know
        // whether the survivors hold every committed entry). Safety and the history were checked; liveness is not owed.
        var refused = failure is { Kind: ViolationKind.Liveness } && cluster.AmnesicMajorityHappened;
        if (refused) failure = null;
        return new SimResult
        {
            Seed = seed,
            Refused = refused,
            Options = options,
            TraceHash = cluster.Trace.Value,
            TraceEvents = cluster.Trace.Events,
            Ticks = cluster.Now,
            Stats = cluster.Stats,
            FaultCounts = cluster.Nemesis.Counts,
            LeadersElected = cluster.Checker.LeadersElected,
            Outcomes = cluster.Clients.Outcomes,
            MessagesSent = cluster.Network.Sent,
            MessagesLost = cluster.Network.Lost,
            MessagesDuplicated = cluster.Network.Duplicated,
            MessagesCutOff = cluster.Network.DroppedByPartition,
            ConvergedAfterTicks = cluster.ConvergedAfterTicks,
            History = history,
            Failure = failure,
            Elapsed = clock.Elapsed,
        };
    }

    /// <summary>
    /// Runs <paramref name="count"/> seeds from <paramref name="start"/>. With <paramref name="stopAtFirstCaught"/> the
    /// run stops once a seed catches a safety violation (teeth tests): later seeds may then be skipped (null).
    /// </summary>
    public static RunSummary RunSeeds(int start, int count, Teeth faults = default, bool stopAtFirstCaught = false, SimMode mode = SimMode.Default)
    {
        var clock = Stopwatch.StartNew();
        var results = new SimResult?[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = WorkersMax }, (i, loop) =>
        {
            if (stopAtFirstCaught && loop.ShouldExitCurrentIteration) return;
            var result = RunSeed(start + i, faults, mode);
            results[i] = result;
            if (stopAtFirstCaught && result.CaughtSafetyViolation) loop.Stop();
        });
        return new RunSummary([.. results.Where(r => r is not null).Select(r => r!)], clock.Elapsed, faults);
    }

    private static SimFailure ToFailure(Exception e, Cluster cluster, int seed, Teeth faults)
    {
        var (kind, message) = e switch
        {
            SimulationViolation v => (v.Kind, v.Message),
            InvariantViolationException => (ViolationKind.CoreAssertion, $"assertion failed in {OriginOf(e)}: {e.Message}\n{Top(e)}"),
            _ => (ViolationKind.CoreAssertion, $"{e.GetType().Name} in {OriginOf(e)}: {e.Message}\n{Top(e)}"),
        };
        var tail = cluster.FaultLog.TakeLast(FaultLogTailLines).ToList();
        return new SimFailure(kind, $"{message}\n  options: {cluster.Options}\n  nodes at t={cluster.Now}:\n{SafeDescribe(cluster)}", tail,
            SimResult.ReplayCommand(seed, faults, cluster.Options.Mode));
    }

    private static string SafeDescribe(Cluster cluster)
    {
        try
        {
            return cluster.DescribeNodes();
        }
        catch (InvalidOperationException)
        {
            return "  (a node was in the middle of a Ready)";
        }
        catch (InvariantViolationException)
        {
            return "  (a node was in the middle of a Ready)";
        }
    }

    /// <summary>The assembly of the first frame outside Cairn.Core (where Invariant lives): who asserted.</summary>
    private static string OriginOf(Exception e)
    {
        foreach (var frame in new StackTrace(e).GetFrames())
        {
            var assembly = frame.GetMethod()?.DeclaringType?.Assembly.GetName().Name;
            if (assembly is not null && assembly != "Cairn.Core") return assembly;
        }
        return "unknown";
    }

    private static string Top(Exception e) =>
        string.Join('\n', (e.StackTrace ?? "").Split('\n').Take(8).Select(l => "    " + l.Trim()));
}

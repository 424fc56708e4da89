using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Cairn.LoadTest;

namespace Cairn.Cli;

/// <summary>
/// <c>cairn bench</c>: the load tester (issue 4). Parses the command line into
/// <see cref="BenchOptions"/>, runs <see cref="BenchRunner"/> (which, with --check, runs the
/// linearizability checker on the recorded history), prints the report to the invocation's
/// output. Exit codes: see <see cref="ExitCode"/>.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        // The root's --server takes one node; bench's own takes several (repeated or a comma list)
        // and shadows it on this command.
        var servers = new Option<string[]>("--server", "-s")
        {
            Description = "Nodes to spread the connections over: repeat it or give a comma list (default: $CAIRN_SERVER or 127.0.0.1:7070)",
        };
        var connections = new Option<int>("--connections", "-c") { Description = "Concurrent connections, one request in flight each", DefaultValueFactory = _ => 64 };
        var requests = new Option<long?>("--requests", "-n") { Description = "Measured operations to run" };
        var duration = new Option<string?>("--duration", "-d") { Description = "How long to run: 30s, 500ms, 2m" };
        var rate = new Option<double?>("--rate", "-R") { Description = "Open loop: operations per second in total (latency from the intended send time)" };
        var workload = new Option<Workload>("--workload", "-w") { Description = "get, put, post, mixed or cas", DefaultValueFactory = _ => Workload.Get };
        var readRatio = new Option<double>("--read-ratio") { Description = "Share of reads in the mixed workload, 0..1", DefaultValueFactory = _ => 0.5 };
        var kv = new Option<bool>("--kv") { Description = "Use raw keys (/v1/_kv/...) instead of documents" };
        var collection = new Option<string>("--collection") { Description = "Collection of the documents", DefaultValueFactory = _ => "bench" };
        var keyPrefix = new Option<string>("--key-prefix") { Description = "Prefix of the key names", DefaultValueFactory = _ => "k" };
        var keys = new Option<int>("--keys", "-k") { Description = "Number of distinct keys", DefaultValueFactory = _ => 10_000 };
        var distribution = new Option<KeyDistribution>("--distribution") { Description = "uniform or zipfian", DefaultValueFactory = _ => KeyDistribution.Uniform };
        var theta = new Option<double>("--zipf-theta") { Description = "Skew of the zipfian distribution, in (0, 1)", DefaultValueFactory = _ => 0.99 };
        var valueSize = new Option<int>("--value-size") { Description = "Bytes per written value", DefaultValueFactory = _ => 100 };
        var consistency = new Option<string?>("--consistency") { Description = "Read consistency: linearizable, lease, session or stale" };
        var preload = new Option<bool>("--preload") { Description = "Write every key before measuring (default for get, mixed, cas)" };
        var noPreload = new Option<bool>("--no-preload") { Description = "Do not write the keys before measuring" };
        var warmup = new Option<string?>("--warmup") { Description = "Unmeasured closed-loop traffic first: 3s" };
        var timeout = new Option<string>("--timeout") { Description = "Per-request timeout", DefaultValueFactory = _ => "10s" };
        var casRetries = new Option<int>("--cas-retries") { Description = "Retries of a CAS after 412", DefaultValueFactory = _ => 20 };
        var verify = new Option<bool>("--verify") { Description = "Read back every acknowledged write and compare value and revision" };
        var check = new Option<bool>("--check") { Description = "Record the history and check it for linearizability" };
        var checkTime = new Option<string?>("--check-time") { Description = "Longest time the --check may take; undecided keys are then inconclusive (default 2m)" };
        var history = new Option<string?>("--history") { Description = "Write the recorded history to this file (JSON lines)" };
        var seed = new Option<int?>("--seed") { Description = "Seed of the key choice" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress line" };

        var command = new Command("bench", "Load test one node or a whole cluster, with latency percentiles, and check the answers (--verify, --check)")
        {
            servers, connections, requests, duration, rate, workload, readRatio, kv, collection, keyPrefix, keys, distribution, theta,
            valueSize, consistency, preload, noPreload, warmup, timeout, casRetries, verify, check, checkTime, history, seed, json, quiet,
        };
        command.SetAction(async (parse, ct) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            BenchOptions options;
            try
            {
                options = new BenchOptions
                {
                    Servers = Servers(parse.GetValue(servers)),
                    Connections = parse.GetValue(connections),
                    Requests = parse.GetValue(requests),
                    Duration = Duration(parse.GetValue(duration)),
                    RatePerSecond = parse.GetValue(rate),
                    Workload = parse.GetValue(workload),
                    ReadRatio = parse.GetValue(readRatio),
                    Target = parse.GetValue(kv) ? KeyTarget.Keys : KeyTarget.Documents,
                    Collection = parse.GetValue(collection)!,
                    KeyPrefix = parse.GetValue(keyPrefix)!,
                    KeyCount = parse.GetValue(keys),
                    Distribution = parse.GetValue(distribution),
                    ZipfTheta = parse.GetValue(theta),
                    ValueBytes = parse.GetValue(valueSize),
                    Consistency = parse.GetValue(consistency),
                    Preload = parse.GetValue(noPreload) ? false : parse.GetValue(preload) ? true : null,
                    Warmup = Duration(parse.GetValue(warmup)) ?? TimeSpan.Zero,
                    RequestTimeout = Duration(parse.GetValue(timeout)) ?? TimeSpan.FromSeconds(10),
                    CasRetriesMax = parse.GetValue(casRetries),
                    Verify = parse.GetValue(verify),
                    Check = parse.GetValue(check),
                    CheckTimeMax = Duration(parse.GetValue(checkTime)) ?? BenchOptions.CheckTimeMaxDefault,
                    HistoryPath = parse.GetValue(history),
                    Seed = parse.GetValue(seed),
                };
            }
            catch (FormatException e)
            {
                await stderr.WriteLineAsync(e.Message);
                return 2;
            }
            if (options.Validate() is { Count: > 0 } problems)
            {
                foreach (var p in problems) await stderr.WriteLineAsync(p);
                return 2;
            }
            // The first Ctrl+C (or SIGTERM) stops sending (or, once the run is over, the check) and
            // still prints the report of what was measured; a second one quits at once (the runtime's default).
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var signals = 0;
            void OnSignal(PosixSignalContext signal)
            {
                if (Interlocked.Increment(ref signals) > 1) return;
                signal.Cancel = true;
                stderr.WriteLine("stopping: waiting for the requests in flight, or ending the check (again to quit now)");
                _ = stop.CancelAsync();
            }
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            var report = await BenchRunner.RunAsync(options, parse.GetValue(quiet) ? null : stderr, cancel: stop.Token);
            await stdout.WriteAsync(parse.GetValue(json) ? ReportText.Json(report) + "\n" : ReportText.Format(report));
            return ExitCode(report);
        });
        return command;
    }

    /// <summary>
    /// 3 when --verify found a mismatch or --check an anomaly; else 130 when stopped by Ctrl+C
    /// (after printing what was measured); else 3 when the check did not pass (undecided keys,
    /// or a history cut at its bound); 1 when no operation succeeded; 0 otherwise.
    /// (2 is for invalid options, before anything runs.)
    /// </summary>
    internal static int ExitCode(BenchReport report)
    {
        if (report.Verify is { Mismatches: > 0 } || report.Check is { Anomalies: > 0 }) return 3;
        if (report.Cancelled) return 130;
        if (!report.Passed) return 3;
        return report.Operations > 0 && report.Errors >= report.Operations ? 1 : 0;
    }

    /// <summary>Every --server given (repeated and/or comma-separated), or the default node.</summary>
    private static List<Uri> Servers(string[]? given)
    {
        var tokens = given is { Length: > 0 } ? given : [Environment.GetEnvironmentVariable("CAIRN_SERVER") ?? ServeCommand.DefaultHttp];
        return tokens.SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(s => new Uri(ServeCommand.ToUrl(s))).ToList();
    }

    /// <summary>"250ms", "30s", "2m", "1h", or a bare number of seconds.</summary>
    internal static TimeSpan? Duration(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        text = text.Trim();
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : text.EndsWith('h') ? (text[..^1], 3600.0)
            : (text, 1.0);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || double.IsInfinity(value))
            throw new FormatException($"'{text}' is not a duration (examples: 500ms, 30s, 2m)");
        return TimeSpan.FromSeconds(value * unit);
    }
}

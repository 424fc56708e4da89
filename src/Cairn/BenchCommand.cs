using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Cairn.LoadTest;

namespace Cairn.Cli;

/// <summary>
/// <c>cairn bench</c>: the load tester (issue 4). Parses the command line into
/// <see cref="BenchOptions"/>, runs <see cref="BenchRunner"/>, prints the report. Exit codes:
/// 0 done, 1 nothing succeeded, 2 invalid options, 3 --verify or --check found a problem,
/// 130 stopped by Ctrl+C (after printing what was measured).
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
        var history = new Option<string?>("--history") { Description = "Write the recorded history to this file (JSON lines)" };
        var seed = new Option<int?>("--seed") { Description = "Seed of the key choice" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress line" };

        var command = new Command("bench", "Load test one node or a whole cluster, with latency percentiles, and check the answers (--verify, --check)")
        {
            servers, connections, requests, duration, rate, workload, readRatio, kv, collection, keyPrefix, keys, distribution, theta,
            valueSize, consistency, preload, noPreload, warmup, timeout, casRetries, verify, check, history, seed, json, quiet,
        };
        command.SetAction(async (parse, ct) =>
        {
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
                    HistoryPath = parse.GetValue(history),
                    Seed = parse.GetValue(seed),
                };
            }
            catch (FormatException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 2;
            }
            if (options.Validate() is { Count: > 0 } problems)
            {
                foreach (var p in problems) await Console.Error.WriteLineAsync(p);
                return 2;
            }
            // The first Ctrl+C (or SIGTERM) stops sending and still prints the report of what was
            // measured; a second one quits at once (the runtime's default).
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var signals = 0;
            void OnSignal(PosixSignalContext signal)
            {
                if (Interlocked.Increment(ref signals) > 1) return;
                signal.Cancel = true;
                Console.Error.WriteLine("stopping: waiting for the requests in flight (again to quit now)");
                _ = stop.CancelAsync();
            }
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            // The linearizability checker is not in a product project yet: --check records the
            // history (and writes it with --history) and says it was not judged.
            var report = await BenchRunner.RunAsync(options, parse.GetValue(quiet) ? null : Console.Error, checker: null, stop.Token);
            await Console.Out.WriteAsync(parse.GetValue(json) ? ReportText.Json(report) + "\n" : ReportText.Format(report));
            if (!report.Passed) return 3;
            if (report.Cancelled) return 130;
            return report.Operations > 0 && report.Errors >= report.Operations ? 1 : 0;
        });
        return command;
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

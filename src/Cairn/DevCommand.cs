using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

namespace Cairn.Cli;

/// <summary>
/// <c>cairn dev</c>: a local N-node cluster in one command. Each node is a child process (<c>cairn serve</c>) with its
/// own HTTP and peer port on 127.0.0.1; the command prints where everything is, restarts a node that crashes, and on
/// Ctrl+C stops every node (SIGTERM, then SIGKILL after a grace period) before it exits. Children also watch this
/// process and stop on their own if it disappears, so no node outlives the command.
/// </summary>
internal static class DevCommand
{
    public static Command Create()
    {
        var nodes = new Option<int>("--nodes", "-n") { Description = "How many nodes to start (1-9)", DefaultValueFactory = _ => 3 };
        var basePort = new Option<int>("--base-port")
        {
            Description = "Node i listens for HTTP on base+i and for peers on base+100+i (with --reuse-port, all share base)",
            DefaultValueFactory = _ => 7070,
        };
        var inMemory = new Option<bool>("--in-memory") { Description = "Keep nothing on disk (by default each node keeps its log and snapshots under --dir)" };
        var reusePort = new Option<bool>("--reuse-port") { Description = "All nodes also listen on the base port (SO_REUSEPORT): the kernel spreads connections over them" };
        var dir = new Option<string>("--dir")
        {
            Description = "Where node logs and data go (data survives restarts; delete the directory to start over)",
            DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "cairn-dev"),
        };
        var command = new Command("dev", "Start a local cluster (3 nodes by default) on 127.0.0.1 and supervise it until Ctrl+C")
        {
            nodes, basePort, inMemory, reusePort, dir,
        };
        command.SetAction(async (parse, ct) =>
        {
            var count = parse.GetValue(nodes);
            var port = parse.GetValue(basePort);
            if (count is < 1 or > 9 || port is < 1024 or > 65_000)
            {
                await Console.Error.WriteLineAsync("cairn dev: --nodes must be 1-9 and --base-port 1024-65000");
                return 2;
            }
            await using var cluster = new DevCluster(count, port, parse.GetValue(reusePort), parse.GetValue(inMemory), parse.GetValue(dir)!);
            return await cluster.RunAsync(ct);
        });
        return command;
    }
}

/// <summary>The child processes of <c>cairn dev</c> and their supervision.</summary>
internal sealed class DevCluster(int count, int basePort, bool reusePort, bool inMemory, string logDirectory) : IAsyncDisposable
{
    private readonly DevNode[] _nodes = [.. Enumerable.Range(1, count).Select(i => new DevNode($"n{i}", basePort + i, basePort + 100 + i))];
    private static readonly TimeSpan HealthyRunMin = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RestartDelayMin = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan RestartDelayMax = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private bool _stopping;

    public async Task<int> RunAsync(CancellationToken stop)
    {
        Directory.CreateDirectory(logDirectory);
        var peers = string.Join(',', _nodes.Select(n => $"{n.Name}=127.0.0.1:{n.PeerPort}"));
        var storage = inMemory ? "in memory" : $"data in {logDirectory}/<node>";
        Console.WriteLine($"Cairn dev cluster: {count} node{(count == 1 ? "" : "s")} on 127.0.0.1 ({storage}; logs in {logDirectory})");
        foreach (var node in _nodes)
        {
            node.Arguments = ServeArguments(node, peers);
            Start(node);
        }
        foreach (var node in _nodes)
        {
            Console.WriteLine($"  {node.Name}  API and web UI http://127.0.0.1:{node.HttpPort}/   peers 127.0.0.1:{node.PeerPort}   pid {node.Process!.Id}   log {node.LogPath}");
        }
        if (reusePort) Console.WriteLine($"  shared  http://127.0.0.1:{basePort}/ (every node, connections spread by the kernel)");
        var leader = await WaitReadyAsync(stop);
        if (leader is not null)
        {
            Console.WriteLine($"Ready: leader is {leader}. Try:");
            Console.WriteLine($"  curl -X PUT http://127.0.0.1:{_nodes[0].HttpPort}/v1/users/1 -H 'content-type: application/json' -d '{{\"name\":\"Ada\"}}'");
            Console.WriteLine($"  curl http://127.0.0.1:{_nodes[^1].HttpPort}/v1/users/1");
        }
        Console.WriteLine("Press Ctrl+C to stop every node.");
        try
        {
            await Task.Delay(Timeout.Infinite, stop);
        }
        catch (OperationCanceledException)
        {
        }
        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate) _stopping = true;
        await Task.WhenAll(_nodes.Select(StopAsync));
    }

    private string[] ServeArguments(DevNode node, string peers)
    {
        var args = new List<string>
        {
            "serve", "--node-id", node.Name, "--http", $"127.0.0.1:{node.HttpPort}", "--peer-address", $"127.0.0.1:{node.PeerPort}",
            "--peers", peers, "--cluster-id", "cairn-dev", "--parent-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
        };
        if (reusePort) args.AddRange(["--shared-http", $"127.0.0.1:{basePort}"]);
        if (inMemory) args.Add("--in-memory");
        else args.AddRange(["--data-dir", Path.Combine(logDirectory, node.Name)]);
        return [.. args];
    }

    private void Start(DevNode node)
    {
        var (file, prefix) = SelfCommand();
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in prefix.Concat(node.Arguments)) info.ArgumentList.Add(a);
        node.LogPath = Path.Combine(logDirectory, node.Name + ".log");
        var log = new StreamWriter(node.LogPath, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.Exited += (_, _) => OnExited(node, process, log);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        node.Process = process;
        node.StartedAt = DateTime.UtcNow;
    }

    // Output may still arrive after Exited fired and the log was closed (a crash's last lines): dropping it beats an
    // unhandled ObjectDisposedException on the reader thread, which would take cairn dev down.
    private static void Write(StreamWriter log, string? line)
    {
        if (line is null) return;
        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    // A node that keeps dying right after it starts (a port already taken, a crash on start) is restarted after growing
    // pauses instead of in a tight loop: the first quick exit restarts at once, then 0.5 s, 1 s, 2 s … up to the max.
    private void OnExited(DevNode node, Process process, StreamWriter log)
    {
        lock (_gate)
        {
            lock (log) log.Dispose();
            if (_stopping || node.Process != process) return;
            node.QuickExits = DateTime.UtcNow - node.StartedAt < HealthyRunMin ? node.QuickExits + 1 : 0;
            var delay = node.QuickExits <= 1 ? TimeSpan.Zero
                : TimeSpan.FromMilliseconds(Math.Min(RestartDelayMax.TotalMilliseconds, RestartDelayMin.TotalMilliseconds * Math.Pow(2, node.QuickExits - 2)));
            if (delay == TimeSpan.Zero)
            {
                Start(node);
                Console.WriteLine($"{node.Name} (pid {process.Id}) exited with code {process.ExitCode}; restarted it as pid {node.Process!.Id} (see {node.LogPath})");
                return;
            }
            Console.WriteLine($"{node.Name} (pid {process.Id}) exited with code {process.ExitCode}, {node.QuickExits} times in a row within " +
                $"{HealthyRunMin.TotalSeconds:0} s of starting; restarting it in {delay.TotalSeconds:0.#} s (see {node.LogPath})");
            _ = RestartLaterAsync(node, process, delay);
        }
    }

    private async Task RestartLaterAsync(DevNode node, Process exited, TimeSpan delay)
    {
        await Task.Delay(delay);
        lock (_gate)
        {
            if (_stopping || node.Process != exited) return;
            Start(node);
            Console.WriteLine($"{node.Name} restarted as pid {node.Process!.Id}");
        }
    }

    private async Task StopAsync(DevNode node)
    {
        var process = node.Process;
        if (process is null) return;
        try
        {
            if (!process.HasExited) Signals.Terminate(process.Id);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            Console.WriteLine($"stopped {node.Name} (pid {process.Id})");
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
    }

    // Waits until every node says it is ready; returns the leader's name (null if Ctrl+C or 60 s came first).
    private async Task<string?> WaitReadyAsync(CancellationToken stop)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!stop.IsCancellationRequested && DateTime.UtcNow < deadline)
        {
            string? leader = null;
            var ready = 0;
            foreach (var node in _nodes)
            {
                try
                {
                    using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{node.HttpPort}/v1/_cluster"), stop);
                    var body = await response.Content.ReadAsStringAsync(stop);
                    using var doc = System.Text.Json.JsonDocument.Parse(body);
                    if (doc.RootElement.TryGetProperty("ready", out var r) && r.GetBoolean()) ready++;
                    if (doc.RootElement.TryGetProperty("leader", out var l) && l.ValueKind == System.Text.Json.JsonValueKind.String) leader = l.GetString();
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
                {
                    // Not listening yet.
                }
            }
            if (ready == _nodes.Length && leader is not null) return leader;
            try
            {
                await Task.Delay(100, stop); // polling with a deadline
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
        if (!stop.IsCancellationRequested) Console.WriteLine($"The nodes did not all become ready within 60 s; see the logs in {logDirectory}");
        return null;
    }

    // How to run this same program again: the apphost directly, or "dotnet cairn.dll" when started through dotnet.
    private static (string File, string[] Prefix) SelfCommand()
    {
        var path = Environment.ProcessPath!;
        return Path.GetFileNameWithoutExtension(path) == "dotnet"
            ? (path, [typeof(DevCommand).Assembly.Location])
            : (path, []);
    }

    private sealed class DevNode(string name, int httpPort, int peerPort)
    {
        public string Name { get; } = name;
        public int HttpPort { get; } = httpPort;
        public int PeerPort { get; } = peerPort;
        public string[] Arguments { get; set; } = [];
        public string LogPath { get; set; } = "";
        public Process? Process { get; set; }
        public DateTime StartedAt { get; set; }
        public int QuickExits { get; set; }
    }
}

using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Cairn.SystemTests.Harness;

/// <summary>One printed node of <c>cairn dev</c>: "  n1  API and web UI http://127.0.0.1:7071/   peers …   pid 123   log …".</summary>
public sealed record DevNode(string Name, Uri Url, int Pid);

/// <summary>
/// <c>cairn dev</c> run the way a user runs it: the apphost, one command, output read line by line. Disposing SIGKILLs
/// the dev process and then, by PID, every descendant it left (nodes stop on their own when dev is gone, but a test
/// must not rely on the code under test to clean up after a failure).
/// </summary>
public sealed partial class DevRun : IAsyncDisposable, IDiagnosable
{
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private readonly HashSet<int> _seen = [];

    private DevRun(LoggedProcess process, string directory)
    {
        Process = process;
        Directory = directory;
    }

    public LoggedProcess Process { get; }

    public string Directory { get; }

    public static DevRun Start(string label, params string[] arguments) => Start(label, sigintIgnored: false, arguments);

    /// <summary>
    /// Like <see cref="Start(string, string[])"/>; with <paramref name="sigintIgnored"/> the apphost is exec'ed by a shell
    /// that ignores SIGINT first — what a background job of a non-interactive shell inherits (same pid as cairn).
    /// </summary>
    public static DevRun Start(string label, bool sigintIgnored, params string[] arguments)
    {
        var directory = Path.Combine(Path.GetTempPath(), "cairn-systests",
            $"{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{label}-{Guid.NewGuid().ToString("N")[..6]}");
        System.IO.Directory.CreateDirectory(directory);
        string[] devArgs = ["dev", "--dir", directory, .. arguments];
        var process = sigintIgnored
            ? LoggedProcess.Start("/bin/sh", ["-c", "trap '' INT; exec \"$0\" \"$@\"", CairnBinary.Path, .. devArgs], Path.Combine(directory, "dev.out"))
            : LoggedProcess.Start(CairnBinary.Path, devArgs, Path.Combine(directory, "dev.out"));
        return new DevRun(process, directory);
    }

    /// <summary>Waits for the "Ready:" line and returns the nodes printed before it.</summary>
    public async Task<IReadOnlyList<DevNode>> WaitReadyAsync()
    {
        await Process.WaitForLineAsync(l => l.StartsWith("Ready:", StringComparison.Ordinal), ReadyTimeout, "its Ready: line");
        return PrintedNodes();
    }

    /// <summary>The node lines printed so far (they come right after the processes start, before readiness).</summary>
    public IReadOnlyList<DevNode> PrintedNodes()
    {
        var nodes = new List<DevNode>();
        foreach (var line in Process.Lines)
        {
            if (NodeLine().Match(line) is not { Success: true } m) continue;
            nodes.Add(new DevNode(m.Groups["name"].Value, new Uri(m.Groups["url"].Value), int.Parse(m.Groups["pid"].Value, CultureInfo.InvariantCulture)));
        }
        Remember(nodes.Select(n => n.Pid));
        return nodes;
    }

    /// <summary>Records the PIDs of every current descendant (so a restarted node is known too) and returns them all.</summary>
    public IReadOnlyCollection<int> RememberDescendants()
    {
        Remember(Posix.Descendants(Process.Pid));
        return [.. _seen];
    }

    public string Diagnostics()
    {
        var text = new StringBuilder();
        text.AppendLine($"cairn dev pid {Process.Pid}, output and node logs in {Directory}; known node pids [{string.Join(',', _seen)}]");
        text.AppendLine("--- dev output");
        text.AppendLine(string.Join('\n', Process.Lines.TakeLast(60)));
        foreach (var log in System.IO.Directory.EnumerateFiles(Directory, "*.log").Order())
        {
            text.AppendLine($"--- {Path.GetFileName(log)}");
            var lines = File.ReadAllLines(log);
            text.AppendLine(string.Join('\n', lines.TakeLast(25)));
        }
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        var pids = Process.HasExited ? [.. _seen] : RememberDescendants();
        await Process.DisposeAsync();
        foreach (var pid in pids.Where(Posix.IsAlive))
        {
            try
            {
                Posix.Signal(pid, Posix.SigKill);
            }
            catch (InvalidOperationException)
            {
                // Gone meanwhile.
            }
        }
        try
        {
            await Poll.UntilAsync("every node of cairn dev gone", TimeSpan.FromSeconds(10),
                () => Task.FromResult((!pids.Any(Posix.IsAlive), string.Join(',', pids.Where(Posix.IsAlive)))));
        }
        catch (TimeoutException e)
        {
            await Console.Error.WriteLineAsync($"system tests: {e.Message}");
        }
    }

    private void Remember(IEnumerable<int> pids)
    {
        foreach (var p in pids) _seen.Add(p);
    }

    [GeneratedRegex(@"^\s+(?<name>n\d+)\s+API and web UI (?<url>http://\S+)\s.*\bpid (?<pid>\d+)\b")]
    private static partial Regex NodeLine();
}

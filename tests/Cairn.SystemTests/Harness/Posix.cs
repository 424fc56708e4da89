using System.Globalization;
using System.Runtime.InteropServices;

namespace Cairn.SystemTests.Harness;

/// <summary>Signals and process facts .NET does not expose (Linux): SIGSTOP/SIGCONT/SIGINT, zombie-aware liveness, children.</summary>
public static partial class Posix
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int SigCont = 18;
    public const int SigStop = 19;

    public static void Signal(int pid, int signal)
    {
        if (kill(pid, signal) != 0)
            throw new InvalidOperationException($"kill({pid}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>True while the process exists and is not a zombie (a reaped-later child counts as gone).</summary>
    public static bool IsAlive(int pid) => State(pid) is { } state && state != 'Z' && state != 'X';

    /// <summary>Every process whose parent chain leads to <paramref name="pid"/> (read from /proc).</summary>
    public static IReadOnlyList<int> Descendants(int pid)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var p)) continue;
            if (Stat(p) is { } fields && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent))
                parents[p] = parent;
        }
        var result = new List<int>();
        var frontier = new Queue<int>([pid]);
        while (frontier.TryDequeue(out var current))
        {
            foreach (var (child, parent) in parents)
            {
                if (parent != current || result.Contains(child)) continue;
                result.Add(child);
                frontier.Enqueue(child);
            }
        }
        return result;
    }

    private static char? State(int pid) => Stat(pid) is { } fields ? fields[0][0] : null;

    // /proc/<pid>/stat is "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so split after the last ')'.
    private static string[]? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var close = text.LastIndexOf(')');
            return close < 0 ? null : text[(close + 2)..].Split(' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}

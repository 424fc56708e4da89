using System.Runtime.InteropServices;

namespace Cairn.Cli;

/// <summary>POSIX signals .NET does not expose: a polite SIGTERM (Process.Kill is SIGKILL) and a liveness probe.</summary>
internal static partial class Signals
{
    private const int SigTerm = 15;

    public static void Terminate(int pid) => _ = kill(pid, SigTerm);

    /// <summary>True while a process with this id exists (signal 0 checks without sending anything).</summary>
    public static bool IsAlive(int pid) => kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == 1; // EPERM: exists, not ours

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}

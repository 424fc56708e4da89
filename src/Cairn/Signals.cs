using System.Runtime.InteropServices;

namespace Cairn.Cli;

/// <summary>POSIX signals .NET does not expose: a polite SIGTERM (Process.Kill is SIGKILL) and a liveness probe.</summary>
internal static partial class Signals
{
    private const int SigTerm = 15;

    public static void Terminate(int pid) => _ = kill(pid, SigTerm);

    /// <summary>True while a process with this id exists (signal 0 checks without sending anything).</summary>
    public static bool IsAlive(int pid) => kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == 1; // EPERM: exists, not ours

    /// <summary>
    /// A shell starts background jobs with SIGINT ignored, and .NET then leaves SIGINT ignored too, so Ctrl+C or
    /// `kill -INT` would not stop `serve` or `dev`. Called first thing in Main (Linux and macOS): restores the default
    /// disposition so the runtime's own handler (and System.CommandLine's cancellation) gets SIGINT like in a terminal.
    /// </summary>
    public static void StopIgnoringInterrupt()
    {
        if (OperatingSystem.IsWindows()) return;
        const int sigInt = 2;
        _ = signal(sigInt, IntPtr.Zero); // SIG_DFL
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    [LibraryImport("libc")]
    private static partial IntPtr signal(int sig, IntPtr handler);
}

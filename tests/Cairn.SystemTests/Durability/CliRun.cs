using Cairn.SystemTests.Harness;

namespace Cairn.SystemTests.Durability;

/// <summary>One run of a <c>cairn</c> client command (backup, restore, …) to completion: exit code and printed lines.</summary>
public static class CliRun
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task<(int ExitCode, IReadOnlyList<string> Lines)> RunAsync(string logPath, params string[] arguments)
    {
        await using var process = LoggedProcess.Start(CairnBinary.Path, arguments, logPath);
        await process.WaitForExitAsync(Timeout);
        return (process.ExitCode, process.Lines);
    }
}

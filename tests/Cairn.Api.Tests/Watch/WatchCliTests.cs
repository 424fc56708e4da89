using System.Diagnostics;

namespace Cairn.Api.Tests.Watch;

/// <summary><c>cairn watch</c> as a real process against a real node.</summary>
public sealed class WatchCliTests
{
    private static string CairnDll()
    {
        // tests/Cairn.Api.Tests/bin/<Configuration>/net10.0 → src/Cairn/bin/<Configuration>/net10.0/cairn.dll
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = testBin.Parent!.Name;
        var root = testBin.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        var dll = Path.Combine(root, "src", "Cairn", "bin", configuration, testBin.Name, "cairn.dll");
        Assert.True(File.Exists(dll), $"{dll} is built with this test project (ProjectReference)");
        return dll;
    }

    private static async Task<(int Exit, string Out, string Err)> RunAsync(string[] args, Func<Task> whileRunning)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(CairnDll());
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await whileRunning();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Watch_PrintsEachChange_AndExitsAfterCount()
    {
        await using var node = await TestNode.StartAsync();
        var before = await node.PutDocAsync("cli", "0", """{"n":0}""");
        var (exit, stdout, stderr) = await RunAsync(["watch", "-s", node.Address.ToString(), "cli", "--values", "--from-revision", "0", "--count", "3"], async () =>
        {
            await ChangeFeedTests.WaitUntilAsync(() => node.Feed.WatcherCount == 1, "the CLI to start watching", 60_000);
            await node.PutDocAsync("cli", "1", """{"n":1}""");
            await node.PutKeyAsync("not-watched", "x");
            await node.DeleteDocAsync("cli", "0");
        });

        Assert.True(exit == 0, stderr);
        Assert.Equal([$"{before}\tput\tcli/0\t{{\"n\":0}}", $"{before + 1}\tput\tcli/1\t{{\"n\":1}}", $"{before + 3}\tdelete\tcli/0"],
            stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("watching from revision 0", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_WithConflictingFilters_ExitsWithTheProblem()
    {
        await using var node = await TestNode.StartAsync();
        var (exit, _, stderr) = await RunAsync(["watch", "-s", node.Address.ToString(), "--key", "k", "--prefix", "p"], () => Task.CompletedTask);
        Assert.Equal(1, exit);
        Assert.Contains("invalid-parameter", stderr, StringComparison.Ordinal);
    }
}

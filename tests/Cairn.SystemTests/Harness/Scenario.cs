namespace Cairn.SystemTests.Harness;

/// <summary>Runs a test body so that any failure carries the diagnostics (log tails, PIDs, relay states) of what it ran.</summary>
public static class Scenario
{
    public static async Task RunAsync(IDiagnosable target, Func<Task> body)
    {
        try
        {
            await body();
        }
        catch (Exception e) when (e is not SystemTestFailedException)
        {
            throw new SystemTestFailedException($"{e.GetType().Name}: {e.Message}\n\n{target.Diagnostics()}", e);
        }
    }
}

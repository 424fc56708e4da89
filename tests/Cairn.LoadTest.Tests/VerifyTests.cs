namespace Cairn.LoadTest.Tests;

public sealed class VerifyTests
{
    private static BenchOptions Options(Uri server, Workload workload = Workload.Put) => new()
    {
        Servers = [server],
        Workload = workload,
        KeyCount = 5,
        Connections = 2,
        Requests = 100,
        Verify = true,
        Seed = 3,
    };

    [Fact]
    public async Task Verify_ReportsStaleReads_FromAServerThatAnswersOldValues()
    {
        await using var server = await FakeCairnServer.StartAsync(new FakeCairnServer { Fault = Fault.StaleReads });
        var report = await BenchRunner.RunAsync(Options(server.Address));

        var verify = report.Verify!;
        Assert.True(verify.Mismatches > 0, "stale reads went unnoticed");
        Assert.False(report.Passed);
        Assert.Contains(verify.Examples, m => m.Problem.Contains("stale read", StringComparison.Ordinal));
        Assert.Contains("MISMATCH", ReportText.Format(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ReportsAValueThatDiffers_AtTheAcknowledgedRevision()
    {
        await using var server = await FakeCairnServer.StartAsync(new FakeCairnServer { Fault = Fault.CorruptValues });
        var report = await BenchRunner.RunAsync(Options(server.Address) with { Target = KeyTarget.Keys });

        Assert.True(report.Verify!.Mismatches > 0);
        Assert.Contains(report.Verify.Examples, m => m.Problem.Contains("not the acknowledged value", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Verify_FindsNothing_OnACorrectFakeServer()
    {
        await using var server = await FakeCairnServer.StartAsync(new FakeCairnServer());
        var report = await BenchRunner.RunAsync(Options(server.Address, Workload.Cas));

        Assert.Equal(0, report.Verify!.Mismatches);
        Assert.True(report.Verify.FinalSweep);
        Assert.True(report.Verify.ReadsCompared >= 100, $"{report.Verify.ReadsCompared} reads compared");
        Assert.True(report.Passed);
    }

    [Fact]
    public async Task Verify_FindsNothing_OnTheRealNode_WithDocumentsAndRawKeys()
    {
        await using var node = await RealNode.StartAsync();
        foreach (var target in new[] { KeyTarget.Documents, KeyTarget.Keys })
        {
            var report = await BenchRunner.RunAsync(Options(node.Address, Workload.Mixed) with { Target = target, KeyCount = 50, Connections = 4, Requests = 400 });
            Assert.Equal(0, report.Errors);
            Assert.Equal(0, report.Verify!.Mismatches);
            // Every key was preloaded (and acknowledged), so the final sweep compares all 50.
            Assert.True(report.Verify.ReadsCompared >= 50 + report.ByOperation.Single(o => o.Operation == "put").Count);
        }
    }
}

using Cairn.Checking;

namespace Cairn.LoadTest.Tests;

public sealed class CheckTests
{
    private static BenchOptions Options(Uri server, Workload workload) => new()
    {
        Servers = [server],
        Workload = workload,
        KeyCount = 4,
        Connections = 4,
        Requests = 300,
        Check = true,
        Seed = 5,
    };

    [Fact]
    public async Task Check_FindsTheAnomaly_OfAServerThatAnswersStaleValues()
    {
        await using var server = await FakeCairnServer.StartAsync(new FakeCairnServer { Fault = Fault.StaleReads });
        var report = await BenchRunner.RunAsync(Options(server.Address, Workload.Mixed), checker: new TestKitChecker());

        var check = report.Check!;
        Assert.True(check.Checked);
        Assert.True(check.Anomalies > 0, check.Description);
        Assert.False(report.Passed);
        Assert.Contains("Illegal", check.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_Passes_OnTheRealNode_ForMixedAndCasWorkloads()
    {
        await using var node = await RealNode.StartAsync();
        foreach (var workload in new[] { Workload.Mixed, Workload.Cas })
        {
            var report = await BenchRunner.RunAsync(Options(node.Address, workload), checker: new TestKitChecker());
            var check = report.Check!;
            Assert.True(check.Passed, check.Description);
            Assert.Equal($"{check.Operations} operations, 0 anomalies", check.Description);
            Assert.Contains($"check: {check.Operations} operations, 0 anomalies", ReportText.Format(report), StringComparison.Ordinal);
            // Preload writes, the measured operations and (for cas) every read and conditional write are in it.
            Assert.True(check.Operations >= 300 + 4, $"{check.Operations} operations recorded");
        }
    }

    [Fact]
    public async Task Check_WithoutALinkedChecker_RecordsTheHistory_InTheTestKitFormat()
    {
        await using var node = await RealNode.StartAsync();
        var path = Path.Combine(Path.GetTempPath(), $"cairn-bench-history-{Guid.NewGuid():N}.jsonl");
        try
        {
            var report = await BenchRunner.RunAsync(Options(node.Address, Workload.Cas) with { HistoryPath = path });
            Assert.False(report.Check!.Checked);
            Assert.True(report.Passed, "an unjudged history is not a failure");

            var history = HistoryJson.ReadFile(path);
            Assert.Equal(report.Check.Operations, history.Count);
            Assert.Contains(history, op => op.Kind == OpKind.Cas && op.CasSucceeded == true);
            Assert.Equal(Verdict.Linearizable, LinearizabilityChecker.Check(history).Verdict);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

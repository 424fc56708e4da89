using Cairn.Checking;

namespace Cairn.LoadTest.Tests;

/// <summary>--check through <see cref="BenchRunner"/> with the product's checker (no checker passed).</summary>
public sealed class CheckTests
{
    internal static BenchOptions Options(Uri server, Workload workload) => new()
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
        var report = await BenchRunner.RunAsync(Options(server.Address, Workload.Mixed));

        var check = report.Check!;
        Assert.True(check.Checked);
        Assert.True(check.Anomalies > 0, check.Description);
        Assert.False(report.Passed);
        Assert.Contains("Illegal", check.Description, StringComparison.Ordinal);
        Assert.Contains("NOT linearizable", ReportText.Format(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_Passes_OnTheRealNode_ForMixedAndCasWorkloads()
    {
        await using var node = await RealNode.StartAsync();
        foreach (var workload in new[] { Workload.Mixed, Workload.Cas })
        {
            var report = await BenchRunner.RunAsync(Options(node.Address, workload));
            var check = report.Check!;
            Assert.True(check.Passed, check.Description);
            Assert.Equal($"{check.Operations} operations, 0 anomalies", check.Description);
            Assert.Contains($"check: {check.Operations} operations, 0 anomalies", ReportText.Format(report), StringComparison.Ordinal);
            // Preload writes, the measured operations and (for cas) every read and conditional write are in it.
            Assert.True(check.Operations >= 300 + 4, $"{check.Operations} operations recorded");
        }
    }

    [Fact]
    public async Task History_WithoutCheck_IsRecordedInTheCheckersFormat_AndChecksOffline()
    {
        await using var node = await RealNode.StartAsync();
        var path = Path.Combine(Path.GetTempPath(), $"cairn-bench-history-{Guid.NewGuid():N}.jsonl");
        try
        {
            var report = await BenchRunner.RunAsync(Options(node.Address, Workload.Cas) with { Check = false, HistoryPath = path });
            Assert.False(report.Check!.Checked);
            Assert.Equal("history recorded, not checked", report.Check.Description);
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

    [Fact]
    public async Task Check_WritesTheHistory_ItJudged()
    {
        await using var node = await RealNode.StartAsync();
        var path = Path.Combine(Path.GetTempPath(), $"cairn-bench-history-{Guid.NewGuid():N}.jsonl");
        try
        {
            var report = await BenchRunner.RunAsync(Options(node.Address, Workload.Mixed) with { HistoryPath = path });
            Assert.True(report.Check!.Passed, report.Check.Description);
            Assert.Equal(path, report.Check.HistoryPath);
            Assert.Equal(report.Check.Operations, HistoryJson.ReadFile(path).Count);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task ARunStoppedByCtrlC_IsStillChecked_WithAToken_ThatCannotCancelTheCheck()
    {
        await using var server = await FakeCairnServer.StartAsync(new FakeCairnServer());
        using var stop = new CancellationTokenSource();
        var checker = new RecordingChecker();
        // The first progress line (after a second of traffic) plays the Ctrl+C.
        using var progress = new StopOnFirstWrite(stop);

        var report = await BenchRunner.RunAsync(Options(server.Address, Workload.Mixed) with { Requests = null, Duration = TimeSpan.FromHours(1) },
            progress, checker, stop.Token);

        Assert.True(report.Cancelled);
        Assert.True(checker.Called);
        Assert.False(checker.TokenCouldCancel, "the check of a stopped run must not be cancelled by that same stop");
        Assert.True(report.Check!.Operations > 0);
    }

    [Fact]
    public async Task CtrlC_DuringTheCheck_ReachesTheChecker()
    {
        await using var server = await FakeCairnServer.StartAsync(new FakeCairnServer());
        using var stop = new CancellationTokenSource();
        var checker = new RecordingChecker { OnCheck = stop.Cancel };

        var report = await BenchRunner.RunAsync(Options(server.Address, Workload.Mixed), checker: checker, cancel: stop.Token);

        Assert.True(checker.TokenCouldCancel);
        Assert.True(checker.CancelledWhileChecking);
        Assert.True(report.Cancelled);
        Assert.Equal(1, report.Check!.Inconclusive);
    }

    private sealed class StopOnFirstWrite(CancellationTokenSource stop) : StringWriter
    {
        public override void Write(char value) => Stop();
        public override void Write(string? value) => Stop();
        public override void WriteLine(string? value) => Stop();

        private void Stop()
        {
            if (!stop.IsCancellationRequested) stop.Cancel();
        }
    }

    /// <summary>Records what the runner handed it; says "inconclusive" when cancelled, as the real checker does.</summary>
    private sealed class RecordingChecker : IHistoryChecker
    {
        public Action? OnCheck { get; init; }
        public bool Called { get; private set; }
        public bool TokenCouldCancel { get; private set; }
        public bool CancelledWhileChecking { get; private set; }

        public HistoryCheckResult Check(IReadOnlyList<HistoryEntry> history, CancellationToken ct)
        {
            Called = true;
            TokenCouldCancel = ct.CanBeCanceled;
            OnCheck?.Invoke();
            CancelledWhileChecking = ct.IsCancellationRequested;
            return new HistoryCheckResult(history.Count, 0, CancelledWhileChecking ? 1 : 0, "recorded");
        }
    }
}

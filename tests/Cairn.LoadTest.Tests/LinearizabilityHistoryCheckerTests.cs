using System.Diagnostics;
using Cairn.Checking;
using Cairn.TestKit;
using Xunit.Abstractions;

namespace Cairn.LoadTest.Tests;

/// <summary>The product adapter behind --check: field mapping, and the bounds a bench history is checked within.</summary>
public sealed class LinearizabilityHistoryCheckerTests(ITestOutputHelper output)
{
    private static HistoryEntry Write(int client, string key, string value, long invoke, long complete) =>
        new(client, key, HistoryOpKind.Write, value, null, null, null, invoke, complete, HistoryOutcome.Ok);

    private static HistoryEntry Read(int client, string key, string? observed, long invoke, long complete) =>
        new(client, key, HistoryOpKind.Read, null, null, observed, null, invoke, complete, HistoryOutcome.Ok);

    /// <summary>Overlapping writes, then two reads that no order allows: exponential to disprove.</summary>
    private static List<HistoryEntry> Pathological(string key, int writes)
    {
        var history = Enumerable.Range(0, writes).Select(i => Write(i, key, $"w{i}", 0, 100)).ToList();
        history.Add(Read(writes, key, "w0", 200, 201));
        history.Add(Read(writes, key, "w1", 202, 203));
        return history;
    }

    [Fact]
    public void ToOperation_CopiesEveryField()
    {
        var cas = new HistoryEntry(7, "k", HistoryOpKind.Cas, "b", "a", null, false, 10, 20, HistoryOutcome.Ok);
        Assert.Equal(Operation.Cas(7, "k", "a", "b", 10, 20, succeeded: false), LinearizabilityHistoryChecker.ToOperation(cas));
        Assert.Equal(Operation.Read(1, "k", 1, 2, "x"), LinearizabilityHistoryChecker.ToOperation(Read(1, "k", "x", 1, 2)));
        var unknown = Write(2, "k", "v", 3, 4) with { Outcome = HistoryOutcome.Unknown };
        Assert.Equal(Operation.Write(2, "k", "v", 3, 4, OpOutcome.Unknown), LinearizabilityHistoryChecker.ToOperation(unknown));
        var failed = Write(2, "k", "v", 3, 4) with { Outcome = HistoryOutcome.Fail };
        Assert.Equal(OpOutcome.Fail, LinearizabilityHistoryChecker.ToOperation(failed).Outcome);
    }

    [Fact]
    public void OptionsFor_BoundTheWholeCheckByTime_AndTheHistoryByTheRecordersLimit()
    {
        var options = LinearizabilityHistoryChecker.OptionsFor(TimeSpan.FromMinutes(3));
        Assert.Null(options.Validate());
        Assert.Equal(TimeSpan.FromMinutes(3), options.TotalTimeMax);
        Assert.Equal(BenchOptions.CheckOperationsMax, options.OperationsMax);
    }

    [Fact]
    public void AHistoryTooLarge_IsNotChecked_AndEveryKeyIsInconclusive_NotAnAnomaly()
    {
        var history = new List<HistoryEntry>();
        for (var i = 0; i < 12; i++) history.Add(Write(1, $"k{i % 3}", $"v{i}", 2L * i, 2L * i + 1));
        var checker = new LinearizabilityHistoryChecker(CheckOptions.Default with { OperationsMax = 10 });

        var result = checker.Check(history, CancellationToken.None);

        Assert.Equal((12, 0, 3), (result.Operations, result.Anomalies, result.Inconclusive));
        Assert.False(result.Passed);
        Assert.Contains("not checked: too large: 12 operations, more than the limit of 10", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void TheTimeBudget_LeavesKeysInconclusive_NeverAnomalies()
    {
        var history = Pathological("a-hard", 30);
        history.Add(Write(1, "b-easy", "x", 0, 1));
        var checker = new LinearizabilityHistoryChecker(LinearizabilityHistoryChecker.OptionsFor(TimeSpan.FromMilliseconds(50)));

        var result = checker.Check(history, CancellationToken.None);

        Assert.Equal((0, 2), (result.Anomalies, result.Inconclusive));
        Assert.Contains("ran out during this search", result.Description, StringComparison.Ordinal);
        Assert.Contains("not checked: 1 keys (\"b-easy\"): the total time budget of 0.05 s (TotalTimeMax) ran out first", result.Description,
            StringComparison.Ordinal);
    }

    [Fact]
    public void ALargeBenchLikeHistory_IsCheckedWell_WithinTheDefaultBudget()
    {
        // 200k operations, 64 clients, 2,000 keys, reads/writes/cas, some failed and some unknown.
        var shape = new RandomHistories.Shape(Operations: 200_000, Clients: 64,
            Keys: Enumerable.Range(0, 2_000).Select(i => $"k{i}").ToArray(), GapMax: 10, DurationMax: 40,
            FailRate: 0.01, UnknownRate: 0.01, UniqueValues: true) { Kinds = [OpKind.Read, OpKind.Write, OpKind.Cas] };
        var history = RandomHistories.Legal(new Random(11), shape).Select(ToEntry).ToList();
        var checker = new LinearizabilityHistoryChecker(LinearizabilityHistoryChecker.OptionsFor(BenchOptions.CheckTimeMaxDefault));

        var started = Stopwatch.GetTimestamp();
        var cpu = Environment.CpuUsage.TotalTime;
        var result = checker.Check(history, CancellationToken.None);

        output.WriteLine($"{history.Count} operations checked in {Stopwatch.GetElapsedTime(started).TotalSeconds:F2} s " +
                         $"({(Environment.CpuUsage.TotalTime - cpu).TotalSeconds:F2} s of CPU, whole process)");
        Assert.True(result.Passed, result.Description);
        Assert.Equal($"{history.Count} operations, 0 anomalies", result.Description);
    }

    private static HistoryEntry ToEntry(Operation op) => new(
        op.ClientId, op.Key, op.Kind switch { OpKind.Read => HistoryOpKind.Read, OpKind.Write => HistoryOpKind.Write, _ => HistoryOpKind.Cas },
        op.Value, op.Expected, op.Output, op.CasSucceeded, op.Invoke, op.Complete,
        op.Outcome switch { OpOutcome.Ok => HistoryOutcome.Ok, OpOutcome.Fail => HistoryOutcome.Fail, _ => HistoryOutcome.Unknown });
}

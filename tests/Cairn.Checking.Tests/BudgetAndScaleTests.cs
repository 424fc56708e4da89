using Cairn.Checking;
using Cairn.TestKit;
using Xunit.Abstractions;
using static Cairn.Checking.Operation;

namespace Cairn.Checking.Tests;

/// <summary>
/// Budgets turn hopeless searches into Unknown (never Illegal), and realistic histories stay
/// far from them. Work is asserted in model steps, which are deterministic; wall time is only
/// printed (timing belongs to benchmarks, not unit tests).
/// </summary>
public sealed class BudgetAndScaleTests(ITestOutputHelper output)
{
    /// <summary>
    /// Many writes that all overlap, then reads of two of their values one after the other,
    /// which no order allows (whichever of the two is written last hides the other). Neither
    /// read is hopeless on its own, so proving it means trying the orders of the other writes
    /// (about n·2^n configurations).
    /// </summary>
    internal static List<Operation> Pathological(string key, int writes)
    {
        var history = new List<Operation>();
        for (var i = 0; i < writes; i++) history.Add(Write(i, key, $"w{i}", 0, 100));
        history.Add(Read(writes, key, 200, 201, "w0"));
        history.Add(Read(writes, key, 202, 203, "w1"));
        return history;
    }

    [Fact]
    public void PathologicalKey_ExceedingTheStepBudget_IsUnknownNotIllegal()
    {
        var history = Pathological("hard", 24);
        history.Add(Write(1, "easy", "a", 0, 1));
        history.Add(Read(2, "easy", 2, 3, "a"));

        var result = LinearizabilityChecker.Check(history, new CheckOptions { PerKeyStepsMax = 50_000 });

        Assert.Equal(Verdict.Unknown, result.Verdict);
        var hard = Assert.Single(result.UnknownKeys);
        Assert.Equal("hard", hard.Key);
        Assert.Null(hard.Diagnostic);
        Assert.Contains("step budget", hard.UnknownReason);
        Assert.InRange(hard.Steps, 50_000, 50_100);
        Assert.Empty(result.IllegalKeys);
        Assert.Equal(Verdict.Linearizable, result.Keys.Single(k => k.Key == "easy").Verdict);
    }

    [Fact]
    public void PathologicalKey_ExceedingTheTimeBudget_IsUnknown()
    {
        var options = new CheckOptions { PerKeyStepsMax = long.MaxValue, PerKeyTimeMax = TimeSpan.FromMilliseconds(20) };
        var result = LinearizabilityChecker.Check(Pathological("hard", 30), options);
        Assert.Equal(Verdict.Unknown, result.Verdict);
        Assert.Contains("time budget", Assert.Single(result.UnknownKeys).UnknownReason);
    }

    [Fact]
    public void PathologicalKey_ExceedingTheCacheBudget_IsUnknown()
    {
        var options = new CheckOptions { PerKeyCacheBytesMax = 64 * 1024 };
        var result = LinearizabilityChecker.Check(Pathological("hard", 30), options);
        Assert.Equal(Verdict.Unknown, result.Verdict);
        Assert.Contains("cache budget", Assert.Single(result.UnknownKeys).UnknownReason);
    }

    [Fact]
    public void IllegalKey_ElsewhereInTheHistory_WinsOverAnUnknownKey()
    {
        var history = Pathological("hard", 24);
        history.Add(Write(1, "bad", "a", 0, 1));
        history.Add(Read(2, "bad", 2, 3, "b"));
        var result = LinearizabilityChecker.Check(history, new CheckOptions { PerKeyStepsMax = 10_000 });
        Assert.Equal(Verdict.Illegal, result.Verdict);
        Assert.Equal("bad", Assert.Single(result.IllegalKeys).Key);
        Assert.Equal("hard", Assert.Single(result.UnknownKeys).Key);
    }

    [Fact]
    public void SmallPathologicalKey_WithinBudget_IsProvedIllegal()
    {
        var result = LinearizabilityChecker.Check(Pathological("hard", 10));
        Assert.Equal(Verdict.Illegal, result.Verdict);
        // The cache is what makes this feasible: 10 writes have 10! orders but only ~n·2^n states.
        Assert.InRange(result.Keys[0].Steps, 1, 200_000);
    }

    [Fact]
    public void FiftyThousandOps_OverHundredsOfKeys_AreLinearizable_WithLittleSearch()
    {
        var shape = new RandomHistories.Shape(Operations: 50_000, Clients: 32,
            Keys: Enumerable.Range(0, 300).Select(i => $"key-{i}").ToArray(),
            GapMax: 20, DurationMax: 50, FailRate: 0.02, UnknownRate: 0.03, UniqueValues: true);
        var history = RandomHistories.Legal(new Random(7), shape);

        var result = LinearizabilityChecker.Check(history);

        output.WriteLine(result.Describe());
        Assert.Equal(Verdict.Linearizable, result.Verdict);
        Assert.Equal(300, result.Keys.Count);
        Assert.True(result.Keys.Sum(k => k.Steps) < 10L * history.Count, $"{result.Keys.Sum(k => k.Steps)} steps");
    }

    [Fact]
    public void TenThousandOps_OnOneHotKey_AreLinearizable_WithLittleSearch()
    {
        // Sixteen clients always busy on one key: every operation overlaps a dozen others.
        var shape = new RandomHistories.Shape(Operations: 10_000, Clients: 16, Keys: ["hot"],
            GapMax: 5, DurationMax: 40, FailRate: 0.02, UnknownRate: 0.03, UniqueValues: true);
        var history = RandomHistories.Legal(new Random(8), shape);

        var result = LinearizabilityChecker.Check(history);

        output.WriteLine(result.Describe());
        Assert.Equal(Verdict.Linearizable, result.Verdict);
        Assert.True(result.Keys[0].Steps < 50L * history.Count, $"{result.Keys[0].Steps} steps");
    }

    [Fact]
    public void OneCorruptedRead_InALargeHistory_IsFoundAndNamed()
    {
        var shape = new RandomHistories.Shape(Operations: 20_000, Clients: 32,
            Keys: Enumerable.Range(0, 200).Select(i => $"key-{i}").ToArray(),
            GapMax: 20, DurationMax: 50, FailRate: 0.02, UnknownRate: 0.03, UniqueValues: true);
        var history = RandomHistories.Legal(new Random(9), shape);
        var victim = history.FindIndex(10_000, op => op is { Kind: OpKind.Read, Outcome: OpOutcome.Ok, Output: not null });
        history[victim] = history[victim] with { Output = "corrupted" };

        var result = LinearizabilityChecker.Check(history, new CheckOptions { ParallelismMax = 2 });

        output.WriteLine(result.Describe());
        Assert.Equal(Verdict.Illegal, result.Verdict);
        var illegal = Assert.Single(result.IllegalKeys);
        Assert.Equal(history[victim].Key, illegal.Key);
        Assert.Equal(history[victim], illegal.Diagnostic!.Unplaceable);
        DiagnosticAssert.IsConsistent(illegal.Diagnostic);
    }
}

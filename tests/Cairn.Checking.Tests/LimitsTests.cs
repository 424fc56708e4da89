using Cairn.Checking;
using static Cairn.Checking.Operation;

namespace Cairn.Checking.Tests;

/// <summary>
/// The bounds on a whole check: a history too large is refused with a clear reason, the total
/// time budget leaves later keys "not checked" instead of running on, and the description stays
/// short however large the history.
/// </summary>
public sealed class LimitsTests
{
    private static List<Operation> Sequential(string key, int writes)
    {
        var history = new List<Operation>();
        for (var i = 0; i < writes; i++) history.Add(Write(1, key, $"w{i}", 2L * i, 2L * i + 1));
        return history;
    }

    [Fact]
    public void History_LongerThanOperationsMax_IsNotChecked_AndSaysItIsTooLarge()
    {
        var history = Sequential("k", 11);
        history.Add(Read(2, "k", 100, 101, "never written"));

        var result = LinearizabilityChecker.Check(history, new CheckOptions { OperationsMax = 11 });

        Assert.Equal(Verdict.Unknown, result.Verdict);
        Assert.Empty(result.Keys);
        Assert.Equal((12, 12, 0), (result.Operations, result.OperationsOk, result.OperationsSearched));
        Assert.Equal("not checked: too large: 12 operations, more than the limit of 11 (OperationsMax)", result.NotCheckedReason);
        Assert.Contains(result.NotCheckedReason!, result.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void History_OfExactlyOperationsMax_IsChecked()
    {
        var history = Sequential("k", 11);
        history.Add(Read(2, "k", 100, 101, "never written"));

        var result = LinearizabilityChecker.Check(history, new CheckOptions { OperationsMax = 12 });

        Assert.Null(result.NotCheckedReason);
        Assert.Equal(Verdict.Illegal, result.Verdict);
    }

    [Fact]
    public void TotalTimeBudget_CutsTheSearchShort_AndLeavesLaterKeysNotChecked()
    {
        // Keys are checked in ordinal order: the pathological one first, then two easy ones.
        var history = BudgetAndScaleTests.Pathological("a-hard", 30);
        history.AddRange(Sequential("b-easy", 3));
        history.AddRange(Sequential("c-easy", 3));
        var options = new CheckOptions { PerKeyStepsMax = long.MaxValue, PerKeyTimeMax = null, TotalTimeMax = TimeSpan.FromMilliseconds(50) };

        var result = LinearizabilityChecker.Check(history, options);

        Assert.Equal(Verdict.Unknown, result.Verdict);
        var hard = result.Keys[0];
        Assert.True(hard.Searched);
        Assert.Equal(Verdict.Unknown, hard.Verdict);
        Assert.Equal("the total time budget of 0.05 s (TotalTimeMax) ran out during this search", hard.UnknownReason);
        Assert.All(result.Keys.Skip(1), key =>
        {
            Assert.False(key.Searched);
            Assert.Equal(Verdict.Unknown, key.Verdict);
            Assert.Equal((3, 0, 0L), (key.Operations, key.OperationsSearched, key.Steps));
            Assert.Equal("the total time budget of 0.05 s (TotalTimeMax) ran out first", key.UnknownReason);
        });
        Assert.Contains("not checked: 2 keys (\"b-easy\", \"c-easy\"): the total time budget", result.Describe(), StringComparison.Ordinal);
        Assert.Equal("key \"b-easy\": not checked: the total time budget of 0.05 s (TotalTimeMax) ran out first", result.Keys[1].ToString());
    }

    [Fact]
    public void TotalTimeBudget_CutsShort_AKeyCheckedOnItsOwn()
    {
        var options = new CheckOptions { PerKeyStepsMax = long.MaxValue, PerKeyTimeMax = null, TotalTimeMax = TimeSpan.FromMilliseconds(20) };
        var result = LinearizabilityChecker.CheckKey("hard", BudgetAndScaleTests.Pathological("hard", 30), RegisterModel.Instance, options);
        Assert.Equal(Verdict.Unknown, result.Verdict);
        Assert.Contains("total time budget", result.UnknownReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancelling_StopsTheSearch_AndLeavesLaterKeysNotChecked()
    {
        var history = BudgetAndScaleTests.Pathological("a-hard", 30);
        history.AddRange(Sequential("b-easy", 3));
        var options = new CheckOptions { PerKeyStepsMax = long.MaxValue, PerKeyTimeMax = null, TotalTimeMax = null };
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        var result = LinearizabilityChecker.Check(history, options, cancel.Token);

        Assert.Equal(Verdict.Unknown, result.Verdict);
        Assert.Equal("the check was cancelled during this search", result.Keys[0].UnknownReason);
        Assert.False(result.Keys[1].Searched);
        Assert.Equal("the check was cancelled first", result.Keys[1].UnknownReason);
    }

    [Fact]
    public void Cancelled_BeforeItStarts_ChecksNothing_ButStillCounts()
    {
        var result = LinearizabilityChecker.Check(Sequential("k", 5), cancel: new CancellationToken(canceled: true));
        Assert.Equal(Verdict.Unknown, result.Verdict);
        Assert.Equal(5, result.Operations);
        Assert.False(Assert.Single(result.Keys).Searched);
    }

    [Fact]
    public void Describe_ShowsOnlyTheEndOfALongPrefix()
    {
        var history = Sequential("k", 100);
        history.Add(Read(2, "k", 1000, 1001, "w0")); // stale: w1..w99 were written since

        var diagnostic = Assert.Single(LinearizabilityChecker.Check(history).IllegalKeys).Diagnostic!;
        var text = diagnostic.Describe();

        Assert.Equal(100, diagnostic.LinearizedPrefix.Count);
        Assert.Contains("longest linearizable prefix (100 ops, the last 40 shown):\n    …\n    61. c1 write(\"k\" \"w60\")", text, StringComparison.Ordinal);
        Assert.Contains("    100. c1 write(\"k\" \"w99\")", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"w59\"", text, StringComparison.Ordinal);
        Assert.True(text.Split('\n').Length < 50, text);
    }

    [Fact]
    public void Describe_OfManyIllegalKeys_DetailsTheFirstAndNamesTheRest()
    {
        var history = new List<Operation>();
        for (var k = 0; k < 25; k++) history.Add(Read(k, $"k{k:00}", 0, 1, "never written"));

        var result = LinearizabilityChecker.Check(history);
        var text = result.Describe();

        Assert.Equal(25, result.IllegalKeys.Count());
        Assert.Equal(CheckResult.KeysDescribedMax, text.Split('\n').Count(line => line.EndsWith(": NOT linearizable", StringComparison.Ordinal)));
        Assert.Contains("… and 15 more illegal keys: \"k10\", \"k11\",", text, StringComparison.Ordinal);
        Assert.EndsWith("\"k19\", …\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("OperationsMax")]
    [InlineData("TotalTimeMax")]
    [InlineData("PerKeyStepsMax")]
    [InlineData("PerKeyTimeMax")]
    [InlineData("PerKeyCacheBytesMax")]
    [InlineData("ParallelismMax")]
    public void InvalidOptions_AreRejected_BeforeAnyWork(string option)
    {
        var options = option switch
        {
            "OperationsMax" => new CheckOptions { OperationsMax = -1 },
            "TotalTimeMax" => new CheckOptions { TotalTimeMax = TimeSpan.Zero },
            "PerKeyStepsMax" => new CheckOptions { PerKeyStepsMax = 0 },
            "PerKeyTimeMax" => new CheckOptions { PerKeyTimeMax = TimeSpan.FromSeconds(-1) },
            "PerKeyCacheBytesMax" => new CheckOptions { PerKeyCacheBytesMax = 0 },
            _ => new CheckOptions { ParallelismMax = 0 },
        };
        Assert.StartsWith(option, options.Validate(), StringComparison.Ordinal);
        var error = Assert.Throws<InvariantViolationException>(() => LinearizabilityChecker.Check(Sequential("k", 2), options));
        Assert.Contains(option, error.Message, StringComparison.Ordinal);
        Assert.Null(CheckOptions.Default.Validate());
    }
}

using Cairn.Checking;
using static Cairn.Checking.Operation;

namespace Cairn.Checking.Tests;

/// <summary>Small histories whose verdict can be seen by eye. Intervals are [invoke, complete].</summary>
public sealed class HandMadeHistoryTests
{
    private const OpOutcome Unknown = OpOutcome.Unknown;
    private const OpOutcome Failed = OpOutcome.Fail;

    private static CheckResult Check(params Operation[] history) => LinearizabilityChecker.Check(history);

    private static void AssertLinearizable(params Operation[] history)
    {
        var result = Check(history);
        Assert.True(result.Verdict == Verdict.Linearizable, result.Describe());
    }

    private static IllegalDiagnostic AssertIllegal(params Operation[] history)
    {
        var result = Check(history);
        Assert.True(result.Verdict == Verdict.Illegal, result.Describe());
        var diagnostic = Assert.Single(result.IllegalKeys).Diagnostic!;
        DiagnosticAssert.IsConsistent(diagnostic);
        return diagnostic;
    }

    [Fact]
    public void EmptyHistory_IsLinearizable() => AssertLinearizable();

    [Fact]
    public void SequentialHistory_IsLinearizable() => AssertLinearizable(
        Read(1, "k", 0, 1, null),
        Write(1, "k", "a", 2, 3),
        Read(2, "k", 4, 5, "a"),
        Cas(1, "k", "a", "b", 6, 7, succeeded: true),
        Cas(2, "k", "a", "c", 8, 9, succeeded: false),
        Read(2, "k", 10, 11, "b"),
        Delete(1, "k", 12, 13),
        Read(2, "k", 14, 15, null));

    [Fact]
    public void ReadOverlappingWrite_MaySeeTheNewValue() => AssertLinearizable(
        Write(1, "k", "a", 0, 1),
        Write(1, "k", "b", 10, 20),
        Read(2, "k", 5, 15, "b"));

    [Fact]
    public void ReadOverlappingWrite_MaySeeTheOldValue() => AssertLinearizable(
        Write(1, "k", "a", 0, 1),
        Write(1, "k", "b", 10, 20),
        Read(2, "k", 15, 25, "a"));

    [Fact]
    public void WriteOverlappingRead_FromEitherSide_MayBeSeen() => AssertLinearizable(
        Write(1, "k", "a", 10, 20),
        Read(2, "k", 0, 11, "a"),
        Read(3, "k", 19, 30, "a"));

    [Fact]
    public void ReadsDuringOneWrite_CannotSeeNewThenOld()
    {
        var diagnostic = AssertIllegal(
            Write(1, "k", "a", 0, 1),
            Write(1, "k", "b", 10, 40),
            Read(2, "k", 12, 14, "b"),
            Read(3, "k", 16, 18, "a"));
        // The new value cannot be read before the write, and the write cannot go first because
        // the later read still has to see the old value.
        Assert.Equal(Read(2, "k", 12, 14, "b"), diagnostic.Unplaceable);
        var write = Assert.Single(diagnostic.OtherCandidates);
        Assert.Equal(Write(1, "k", "b", 10, 40), write.Operation);
        Assert.Contains(Read(3, "k", 16, 18, "a").ToString(), write.Reason);
    }

    [Fact]
    public void TouchingIntervals_AreConcurrent() => AssertLinearizable(
        Write(1, "k", "a", 0, 5),
        Read(2, "k", 5, 6, null));

    [Fact]
    public void StaleRead_AfterNewerWriteCompleted_IsIllegal()
    {
        var diagnostic = AssertIllegal(
            Write(1, "k", "a", 0, 1),
            Write(1, "k", "b", 2, 3),
            Read(2, "k", 4, 5, "a"));
        Assert.Equal("k", diagnostic.Key);
        Assert.Equal([Write(1, "k", "a", 0, 1), Write(1, "k", "b", 2, 3)], diagnostic.LinearizedPrefix);
        Assert.Equal("\"b\"", diagnostic.StateAfterPrefix);
        Assert.Equal(Read(2, "k", 4, 5, "a"), diagnostic.Unplaceable);
        Assert.Equal(
            $"it needs \"a\", set at the latest by {Write(1, "k", "a", 0, 1)}, but {Write(1, "k", "b", 2, 3)} set another value " +
            "after that and before it started, so no order can place it",
            diagnostic.UnplaceableReason);
    }

    [Fact]
    public void LostWrite_AcknowledgedButNeverVisible_IsIllegal() => AssertIllegal(
        Write(1, "k", "a", 0, 1),
        Write(2, "k", "b", 2, 3),
        Read(3, "k", 4, 5, "a"),
        Read(1, "k", 6, 7, "a"),
        Read(3, "k", 8, 9, "a"));

    [Fact]
    public void TwoCasWithTheSameExpected_CannotBothSucceed()
    {
        var diagnostic = AssertIllegal(
            Write(1, "k", "a", 0, 1),
            Cas(2, "k", "a", "b", 2, 6, succeeded: true),
            Cas(3, "k", "a", "c", 3, 7, succeeded: true));
        // Whichever swaps first takes "a" away from the other.
        Assert.Equal([Write(1, "k", "a", 0, 1)], diagnostic.LinearizedPrefix);
        Assert.Equal(Cas(2, "k", "a", "b", 2, 6, succeeded: true), diagnostic.Unplaceable);
        Assert.Contains(Cas(3, "k", "a", "c", 3, 7, succeeded: true).ToString(), diagnostic.UnplaceableReason);
        Assert.Equal(Cas(3, "k", "a", "c", 3, 7, succeeded: true), Assert.Single(diagnostic.OtherCandidates).Operation);
    }

    [Fact]
    public void TwoCasWithTheSameExpected_OneSucceedsOneMismatches_IsLinearizable() => AssertLinearizable(
        Write(1, "k", "a", 0, 1),
        Cas(2, "k", "a", "b", 2, 6, succeeded: true),
        Cas(3, "k", "a", "c", 3, 7, succeeded: false),
        Read(1, "k", 8, 9, "b"));

    [Fact]
    public void CasMismatch_WhenTheValueMatched_IsIllegal() => AssertIllegal(
        Write(1, "k", "a", 0, 1),
        Cas(2, "k", "a", "b", 2, 3, succeeded: false));

    [Fact]
    public void UnknownWrite_ObservedLater_IsLinearizable() => AssertLinearizable(
        Write(1, "k", "a", 0, 1),
        Write(2, "k", "b", 2, 3, Unknown),
        Read(3, "k", 10, 11, "a"),
        Read(3, "k", 100, 101, "b"),
        Read(1, "k", 200, 201, "b"));

    [Fact]
    public void UnknownWrite_NeverObserved_IsLinearizable() => AssertLinearizable(
        Write(1, "k", "a", 0, 1),
        Write(2, "k", "b", 2, 3, Unknown),
        Read(3, "k", 10, 11, "a"),
        Read(3, "k", 100, 101, "a"));

    [Fact]
    public void UnknownWrite_CannotTakeEffectBeforeItIsInvoked() => AssertIllegal(
        Read(3, "k", 0, 1, "b"),
        Write(2, "k", "b", 2, 3, Unknown));

    [Fact]
    public void UnknownWrite_TakesEffectAtMostOnce() => AssertIllegal(
        Write(1, "k", "a", 0, 1),
        Write(2, "k", "b", 2, 3, Unknown),
        Read(3, "k", 10, 11, "b"),
        Read(3, "k", 12, 13, "a"),
        Read(3, "k", 14, 15, "b"));

    [Fact]
    public void UnknownCas_MayHaveSwapped() => AssertLinearizable(
        Write(1, "k", "a", 0, 1),
        Cas(2, "k", "a", "b", 2, 3, succeeded: null, Unknown),
        Read(3, "k", 10, 11, "b"));

    [Fact]
    public void UnknownCas_OnlySwapsWhenItsExpectedValueIsCurrent() => AssertIllegal(
        Write(1, "k", "z", 0, 1),
        Cas(2, "k", "a", "b", 2, 3, succeeded: null, Unknown),
        Read(3, "k", 10, 11, "b"));

    [Fact]
    public void UnknownWrite_UnobservedButNeededByAMismatchingCas_IsLinearizable() => AssertLinearizable(
        Write(1, "k", "a", 0, 1),
        Write(2, "k", "b", 2, 3, Unknown),
        Cas(3, "k", "a", "c", 10, 11, succeeded: false));

    [Fact]
    public void FailedWrite_HasNoEffect()
    {
        AssertLinearizable(
            Write(1, "k", "a", 0, 1),
            Write(2, "k", "b", 2, 3, Failed),
            Read(3, "k", 10, 11, "a"));
        AssertIllegal(
            Write(1, "k", "a", 0, 1),
            Write(2, "k", "b", 2, 3, Failed),
            Read(3, "k", 10, 11, "b"));
    }

    [Fact]
    public void ReadOfAValueNeverWritten_IsIllegal()
    {
        var diagnostic = AssertIllegal(
            Write(1, "k", "a", 0, 10),
            Read(2, "k", 5, 15, "ghost"));
        Assert.Equal("ghost", diagnostic.Unplaceable.Output);
        Assert.Equal("nothing sets \"ghost\" before it completes, so no order can place it", diagnostic.UnplaceableReason);
    }

    [Fact]
    public void ReadOfAValueWrittenOnlyAfterwards_IsIllegal()
    {
        var diagnostic = AssertIllegal(
            Write(1, "k", "a", 0, 1),
            Read(2, "k", 2, 3, "b"),
            Write(1, "k", "b", 4, 5));
        Assert.Equal([Write(1, "k", "a", 0, 1)], diagnostic.LinearizedPrefix);
        Assert.Equal(Read(2, "k", 2, 3, "b"), diagnostic.Unplaceable);
    }

    [Fact]
    public void ReadOfAbsentKey_BeforeAnyWrite_IsLinearizable() => AssertLinearizable(
        Read(1, "k", 0, 1, null),
        Write(1, "k", "a", 2, 3));

    [Fact]
    public void Delete_MakesTheKeyAbsent()
    {
        AssertLinearizable(
            Write(1, "k", "a", 0, 1),
            Delete(2, "k", 2, 3),
            Read(3, "k", 4, 5, null));
        AssertIllegal(
            Write(1, "k", "a", 0, 1),
            Delete(2, "k", 2, 3),
            Read(3, "k", 4, 5, "a"));
    }

    [Fact]
    public void DeleteOfAnAbsentKey_IsLinearizable() => AssertLinearizable(
        Delete(1, "k", 0, 1),
        Read(1, "k", 2, 3, null));

    [Fact]
    public void CasWithAbsentExpected_IsCreateOnly()
    {
        AssertLinearizable(
            Cas(1, "k", null, "a", 0, 1, succeeded: true),
            Cas(2, "k", null, "b", 2, 3, succeeded: false),
            Read(3, "k", 4, 5, "a"));
        AssertIllegal(
            Write(1, "k", "a", 0, 1),
            Cas(2, "k", null, "b", 2, 3, succeeded: true));
    }

    [Fact]
    public void CasWithAbsentValue_IsConditionalDelete() => AssertLinearizable(
        Write(1, "k", "a", 0, 1),
        Cas(2, "k", "a", null, 2, 3, succeeded: true),
        Read(3, "k", 4, 5, null));

    [Fact]
    public void Keys_AreCheckedIndependently()
    {
        var result = Check(
            Write(1, "x", "1", 0, 1),
            Read(1, "y", 2, 3, null),
            Write(2, "y", "2", 4, 5),
            Read(2, "x", 6, 7, "1"),
            Read(3, "y", 8, 9, "1"),
            Read(3, "z", 10, 11, null));
        Assert.Equal(Verdict.Illegal, result.Verdict);
        Assert.Equal(["x", "y", "z"], result.Keys.Select(k => k.Key));
        Assert.Equal([Verdict.Linearizable, Verdict.Illegal, Verdict.Linearizable], result.Keys.Select(k => k.Verdict));
        Assert.Equal("y", Assert.Single(result.IllegalKeys).Diagnostic!.Key);
    }

    [Fact]
    public void ValuesWrittenToOtherKeys_DoNotExplainARead() => AssertIllegal(
        Write(1, "x", "a", 0, 1),
        Read(2, "y", 2, 3, "a"));

    [Fact]
    public void Result_CountsOperationsByOutcome()
    {
        var result = Check(
            Write(1, "k", "a", 0, 1),
            Write(2, "k", "b", 2, 3, Unknown),
            Read(2, "k", 4, 5, null, Unknown),
            Write(3, "k", "c", 6, 7, Failed),
            Read(1, "k", 8, 9, "b"));
        Assert.Equal(Verdict.Linearizable, result.Verdict);
        Assert.Equal((5, 2, 1, 2), (result.Operations, result.OperationsOk, result.OperationsFailed, result.OperationsUnknown));
        // The failed write and the unknown read cannot matter; the observed unknown write can.
        Assert.Equal(3, result.OperationsSearched);
        Assert.Equal(5, Assert.Single(result.Keys).Operations);
    }

    [Fact]
    public void IllegalDiagnostic_Describe_ShowsPrefixStateAndUnplaceableOperation()
    {
        var text = AssertIllegal(
            Write(1, "k", "a", 0, 1),
            Write(7, "k", "b", 2, 9),
            Read(2, "k", 3, 5, "c"),
            Write(4, "k", "c", 4, 20),
            Read(3, "k", 6, 7, "a")).Describe();
        Assert.Equal(
            "key \"k\": NOT linearizable\n" +
            "  longest linearizable prefix (1 ops):\n" +
            "    1. c1 write(\"k\" \"a\") → ok [0, 1]\n" +
            "  state after prefix: \"a\"\n" +
            "  could not place: c2 read(\"k\") → \"c\" [3, 5]\n" +
            "    because it does not fit state \"a\"\n" +
            "  nor could any other operation go next:\n" +
            "    c7 write(\"k\" \"b\") → ok [2, 9]\n" +
            "      because it would leave \"a\" for good while c3 read(\"k\") → \"a\" [6, 7] still has to observe it\n" +
            "    c4 write(\"k\" \"c\") → ok [4, 20]\n" +
            "      because it would leave \"a\" for good while c3 read(\"k\") → \"a\" [6, 7] still has to observe it\n",
            text);
    }
}

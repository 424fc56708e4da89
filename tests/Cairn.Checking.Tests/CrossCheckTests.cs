using Cairn.Checking;
using Cairn.TestKit;

namespace Cairn.Checking.Tests;

/// <summary>The checker against the brute-force definition on thousands of tiny random histories.</summary>
public sealed class CrossCheckTests
{
    private const int Seed = 20_251_122;
    private static readonly string[] OneKey = ["x"];
    private static readonly string[] TwoKeys = ["x", "y"];
    private static readonly string?[] Values = [null, "a", "b", "c"];

    [Fact]
    public void Checker_AgreesWithBruteForce_OnLegalRandomHistories()
    {
        var rng = new Random(Seed);
        for (var n = 0; n < 4_000; n++)
        {
            var shape = new RandomHistories.Shape(
                Operations: 1 + rng.Next(8), Clients: 1 + rng.Next(4), Keys: rng.Next(2) == 0 ? OneKey : TwoKeys,
                GapMax: 3, DurationMax: 6, FailRate: 0.1, UnknownRate: 0.2, UniqueValues: false);
            var history = RandomHistories.Legal(rng, shape);
            var result = LinearizabilityChecker.Check(history);
            Assert.True(BruteForceChecker.IsLinearizable(history), $"case {n}: generator produced an illegal history\n{Dump(history)}");
            Assert.True(result.Verdict == Verdict.Linearizable, $"case {n}: checker says {result}\n{Dump(history)}");
        }
    }

    [Fact]
    public void Checker_AgreesWithBruteForce_OnArbitraryRandomHistories()
    {
        var rng = new Random(Seed + 1);
        int legal = 0, illegal = 0;
        for (var n = 0; n < 8_000; n++)
        {
            var history = RandomHistories.Arbitrary(rng, 1 + rng.Next(8), rng.Next(2) == 0 ? OneKey : TwoKeys);
            var expected = BruteForceChecker.IsLinearizable(history);
            var result = LinearizabilityChecker.Check(history);
            Assert.True(result.Verdict == (expected ? Verdict.Linearizable : Verdict.Illegal),
                $"case {n}: brute force says {(expected ? "linearizable" : "illegal")}, checker says {result}\n{Dump(history)}");
            if (expected) legal++;
            else
            {
                illegal++;
                foreach (var key in result.IllegalKeys) DiagnosticAssert.IsConsistent(key.Diagnostic!);
            }
        }
        // Both verdicts must be well represented, or the comparison proves little.
        Assert.True(legal > 500 && illegal > 500, $"{legal} legal, {illegal} illegal");
    }

    /// <summary>
    /// Legal histories with one output changed: near misses, where a checker that prunes too
    /// eagerly or too little is most likely to disagree with the definition.
    /// </summary>
    [Fact]
    public void Checker_AgreesWithBruteForce_OnLegalHistoriesWithOneOutputChanged()
    {
        var rng = new Random(Seed + 2);
        int legal = 0, illegal = 0;
        for (var n = 0; n < 6_000; n++)
        {
            var shape = new RandomHistories.Shape(
                Operations: 2 + rng.Next(7), Clients: 1 + rng.Next(4), Keys: rng.Next(3) == 0 ? TwoKeys : OneKey,
                GapMax: 2, DurationMax: 4, FailRate: 0.05, UnknownRate: 0.2, UniqueValues: false);
            var history = RandomHistories.Legal(rng, shape);
            var victim = rng.Next(history.Count);
            history[victim] = history[victim] switch
            {
                { Kind: OpKind.Read, Outcome: OpOutcome.Ok } read => read with { Output = Values[rng.Next(Values.Length)] },
                { Kind: OpKind.Cas, Outcome: OpOutcome.Ok } cas => cas with { CasSucceeded = !cas.CasSucceeded },
                var other => other with { Outcome = OpOutcome.Ok, CasSucceeded = other.Kind == OpKind.Cas ? true : null },
            };
            var expected = BruteForceChecker.IsLinearizable(history);
            var result = LinearizabilityChecker.Check(history);
            Assert.True(result.Verdict == (expected ? Verdict.Linearizable : Verdict.Illegal),
                $"case {n}: brute force says {(expected ? "linearizable" : "illegal")}, checker says {result}\n{Dump(history)}");
            if (expected) legal++;
            else
            {
                illegal++;
                foreach (var key in result.IllegalKeys) DiagnosticAssert.IsConsistent(key.Diagnostic!);
            }
        }
        Assert.True(legal > 1_000 && illegal > 1_000, $"{legal} legal, {illegal} illegal");
    }

    internal static string Dump(IEnumerable<Operation> history) => string.Join("\n", history);
}

internal static class DiagnosticAssert
{
    /// <summary>The reported prefix is itself a valid linearization and excludes the stuck operation.</summary>
    public static void IsConsistent(IllegalDiagnostic diagnostic)
    {
        var prefix = diagnostic.LinearizedPrefix;
        Assert.DoesNotContain(diagnostic.Unplaceable, prefix);
        Assert.Equal(OpOutcome.Ok, diagnostic.Unplaceable.Outcome);
        var state = RegisterModel.Instance.Initial;
        for (var i = 0; i < prefix.Count; i++)
        {
            Assert.Equal(diagnostic.Key, prefix[i].Key);
            Assert.True(RegisterModel.Instance.Step(state, prefix[i], out state), $"prefix op {i} does not replay");
            for (var j = i + 1; j < prefix.Count; j++)
                Assert.False(prefix[j].Outcome == OpOutcome.Ok && prefix[j].Complete < prefix[i].Invoke,
                    $"prefix op {j} finished before op {i} started");
        }
        Assert.Equal(RegisterModel.Instance.Describe(state), diagnostic.StateAfterPrefix);
    }
}

using Cairn.Checking;

namespace Cairn.Checking.Tests;

/// <summary>
/// The definition of linearizability, executed literally for tiny histories: over the whole
/// history (no per-key split), for every subset of the Unknown operations, try every order of
/// the chosen operations that respects real time (a before b when a completed strictly before b
/// was invoked) against a dictionary of registers. Written independently of the checker's
/// model so that the two can disagree.
/// </summary>
internal static class BruteForceChecker
{
    public const int OperationsMax = 10;

    public static bool IsLinearizable(IReadOnlyList<Operation> history)
    {
        var ops = history.Where(o => o.Outcome != OpOutcome.Fail).ToArray();
        Assert.True(ops.Length <= OperationsMax, "brute force is for tiny histories only");
        var unknown = Enumerable.Range(0, ops.Length).Where(i => ops[i].Outcome == OpOutcome.Unknown).ToArray();
        for (var mask = 0; mask < 1 << unknown.Length; mask++)
        {
            var included = new bool[ops.Length];
            for (var i = 0; i < ops.Length; i++) included[i] = ops[i].Outcome == OpOutcome.Ok;
            for (var u = 0; u < unknown.Length; u++)
                if ((mask & (1 << u)) != 0) included[unknown[u]] = true;
            if (Search(ops, included, new bool[ops.Length], new Dictionary<string, string?>())) return true;
        }
        return false;
    }

    private static bool Search(Operation[] ops, bool[] included, bool[] placed, Dictionary<string, string?> registers)
    {
        var remaining = false;
        for (var i = 0; i < ops.Length; i++)
        {
            if (!included[i] || placed[i]) continue;
            remaining = true;
            if (!MayGoNext(ops, included, placed, i)) continue;
            registers.TryGetValue(ops[i].Key, out var before);
            if (!Apply(ops[i], before, out var after)) continue;
            placed[i] = true;
            registers[ops[i].Key] = after;
            var found = Search(ops, included, placed, registers);
            registers[ops[i].Key] = before;
            placed[i] = false;
            if (found) return true;
        }
        return !remaining;
    }

    /// <summary>Nothing still unplaced finished before <paramref name="candidate"/> started.</summary>
    private static bool MayGoNext(Operation[] ops, bool[] included, bool[] placed, int candidate)
    {
        for (var j = 0; j < ops.Length; j++)
        {
            if (j == candidate || !included[j] || placed[j]) continue;
            if (ops[j].Outcome == OpOutcome.Ok && ops[j].Complete < ops[candidate].Invoke) return false;
        }
        return true;
    }

    private static bool Apply(Operation op, string? before, out string? after)
    {
        after = before;
        var known = op.Outcome == OpOutcome.Ok;
        switch (op.Kind)
        {
            case OpKind.Read:
                return !known || before == op.Output;
            case OpKind.Write:
                after = op.Value;
                return true;
            case OpKind.Delete:
                after = null;
                return true;
            default:
                if (known && op.CasSucceeded == false) return before != op.Expected;
                if (before != op.Expected) return false;
                after = op.Value;
                return true;
        }
    }
}

using System.Diagnostics;

namespace Cairn.Checking;

/// <summary>
/// Checks a history for linearizability, key by key (linearizability is compositional, and
/// each key is an independent object in Cairn's model). Fail-outcome operations are dropped
/// (they had no effect and their output means nothing), Unknown ones may or may not have taken
/// effect, Ok ones must be linearized within their interval. Every check is bounded by
/// <see cref="CheckOptions"/>: a budget that runs out, or a cancellation, gives Unknown (never
/// Illegal) for the keys it leaves undecided; nothing throws. Thread-safe: holds no state.
/// </summary>
public static partial class LinearizabilityChecker
{
    /// <summary>Checks against <see cref="RegisterModel"/>.</summary>
    public static CheckResult Check(IReadOnlyList<Operation> history, CheckOptions? options = null, CancellationToken cancel = default) =>
        Check(history, RegisterModel.Instance, options, cancel);

    /// <param name="cancel">Stops the check early: keys left undecided are Unknown, as with a budget.</param>
    public static CheckResult Check<TState>(IReadOnlyList<Operation> history, ILinearizabilityModel<TState> model,
        CheckOptions? options = null, CancellationToken cancel = default)
    {
        options ??= CheckOptions.Default;
        if (options.Validate() is { } invalid) Invariant.Fail($"invalid check options: {invalid}");
        var started = Stopwatch.GetTimestamp();
        var (ok, failed, unknown) = CountOutcomes(history);
        if (history.Count > options.OperationsMax)
        {
            return new CheckResult
            {
                Verdict = Verdict.Unknown,
                Keys = [],
                Operations = history.Count,
                OperationsOk = ok,
                OperationsFailed = failed,
                OperationsUnknown = unknown,
                OperationsSearched = 0,
                Elapsed = Stopwatch.GetElapsedTime(started),
                NotCheckedReason = $"not checked: too large: {history.Count} operations, more than the limit of {options.OperationsMax} (OperationsMax)",
            };
        }

        var byKey = new Dictionary<string, List<Operation>>(StringComparer.Ordinal);
        for (var i = 0; i < history.Count; i++)
        {
            var op = history[i];
            if (op.Validate() is { } error) Invariant.Fail($"history operation {i} ({op}) is malformed: {error}");
            if (!byKey.TryGetValue(op.Key, out var list)) byKey[op.Key] = list = [];
            list.Add(op);
        }

        var keys = byKey.Keys.ToArray();
        Array.Sort(keys, StringComparer.Ordinal);
        var total = Deadline.After(started, options.TotalTimeMax);
        var results = new KeyResult[keys.Length];
        if (options.ParallelismMax == 1 || keys.Length < 2)
        {
            for (var i = 0; i < keys.Length; i++) results[i] = CheckKey(keys[i], byKey[keys[i]], model, options, total, cancel);
        }
        else
        {
            Parallel.For(0, keys.Length, new ParallelOptions { MaxDegreeOfParallelism = options.ParallelismMax },
                i => results[i] = CheckKey(keys[i], byKey[keys[i]], model, options, total, cancel));
        }

        var searched = 0;
        var verdict = Verdict.Linearizable;
        foreach (var result in results)
        {
            searched += result.OperationsSearched;
            if (result.Verdict == Verdict.Illegal) verdict = Verdict.Illegal;
            else if (result.Verdict == Verdict.Unknown && verdict == Verdict.Linearizable) verdict = Verdict.Unknown;
        }

        return new CheckResult
        {
            Verdict = verdict,
            Keys = results,
            Operations = history.Count,
            OperationsOk = ok,
            OperationsFailed = failed,
            OperationsUnknown = unknown,
            OperationsSearched = searched,
            Elapsed = Stopwatch.GetElapsedTime(started),
        };
    }

    private static (int Ok, int Failed, int Unknown) CountOutcomes(IReadOnlyList<Operation> history)
    {
        int ok = 0, failed = 0, unknown = 0;
        foreach (var op in history)
        {
            switch (op.Outcome)
            {
                case OpOutcome.Ok: ok++; break;
                case OpOutcome.Fail: failed++; break;
                default: unknown++; break;
            }
        }
        return (ok, failed, unknown);
    }
}

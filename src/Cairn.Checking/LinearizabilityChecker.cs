using System.Diagnostics;

namespace Cairn.Checking;

/// <summary>
/// Checks a history for linearizability, key by key (linearizability is compositional, and
/// each key is an independent object in Cairn's model). Fail-outcome operations are dropped
/// (they had no effect and their output means nothing), Unknown ones may or may not have taken
/// effect, Ok ones must be linearized within their interval. Thread-safe: holds no state.
/// </summary>
public static class LinearizabilityChecker
{
    /// <summary>Checks against <see cref="RegisterModel"/>.</summary>
    public static CheckResult Check(IReadOnlyList<Operation> history, CheckOptions? options = null) =>
        Check(history, RegisterModel.Instance, options);

    public static CheckResult Check<TState>(IReadOnlyList<Operation> history, ILinearizabilityModel<TState> model,
        CheckOptions? options = null)
    {
        options ??= CheckOptions.Default;
        Invariant.Check(options.ParallelismMax >= 1);
        var started = Stopwatch.GetTimestamp();

        var byKey = new Dictionary<string, List<Operation>>(StringComparer.Ordinal);
        int ok = 0, failed = 0, unknown = 0;
        for (var i = 0; i < history.Count; i++)
        {
            var op = history[i];
            if (op.Validate() is { } error) Invariant.Fail($"history operation {i} ({op}) is malformed: {error}");
            switch (op.Outcome)
            {
                case OpOutcome.Ok: ok++; break;
                case OpOutcome.Fail: failed++; break;
                default: unknown++; break;
            }
            if (!byKey.TryGetValue(op.Key, out var list)) byKey[op.Key] = list = [];
            list.Add(op);
        }

        var keys = byKey.Keys.ToArray();
        Array.Sort(keys, StringComparer.Ordinal);
        var results = new KeyResult[keys.Length];
        if (options.ParallelismMax == 1 || keys.Length < 2)
        {
            for (var i = 0; i < keys.Length; i++) results[i] = CheckKey(keys[i], byKey[keys[i]], model, options);
        }
        else
        {
            Parallel.For(0, keys.Length, new ParallelOptions { MaxDegreeOfParallelism = options.ParallelismMax },
                i => results[i] = CheckKey(keys[i], byKey[keys[i]], model, options));
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

    /// <summary>Checks the operations of one key (the caller guarantees they share it).</summary>
    public static KeyResult CheckKey<TState>(string key, IReadOnlyList<Operation> keyOperations,
        ILinearizabilityModel<TState> model, CheckOptions? options = null)
    {
        options ??= CheckOptions.Default;
        var started = Stopwatch.GetTimestamp();
        var effective = new List<Operation>(keyOperations.Count);
        foreach (var op in keyOperations)
        {
            Invariant.Check(string.Equals(op.Key, key, StringComparison.Ordinal), "every operation belongs to the key");
            if (op.Outcome != OpOutcome.Fail) effective.Add(op);
        }
        // Invocation order makes linearized sets prefix-shaped, which the search cache stores compactly.
        var searched = model.Reduce([.. effective.OrderBy(op => op.Invoke)]);

        var search = new KeySearch<TState>(searched, model, options);
        var verdict = search.Run();
        return new KeyResult
        {
            Key = key,
            Verdict = verdict,
            Operations = keyOperations.Count,
            OperationsSearched = searched.Count,
            Steps = search.Steps,
            CacheEntries = search.CacheEntries,
            DeepestPrefix = search.DeepestPrefix,
            Elapsed = Stopwatch.GetElapsedTime(started),
            Diagnostic = verdict == Verdict.Illegal ? search.Diagnose(key) : null,
            UnknownReason = search.UnknownReason,
        };
    }
}

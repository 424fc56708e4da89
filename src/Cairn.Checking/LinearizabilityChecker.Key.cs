using System.Diagnostics;

namespace Cairn.Checking;

public static partial class LinearizabilityChecker
{
    /// <summary>Checks the operations of one key (the caller guarantees they share it).</summary>
    public static KeyResult CheckKey<TState>(string key, IReadOnlyList<Operation> keyOperations,
        ILinearizabilityModel<TState> model, CheckOptions? options = null, CancellationToken cancel = default)
    {
        options ??= CheckOptions.Default;
        if (options.Validate() is { } invalid) Invariant.Fail($"invalid check options: {invalid}");
        return CheckKey(key, keyOperations, model, options, Deadline.After(Stopwatch.GetTimestamp(), options.TotalTimeMax), cancel);
    }

    private static KeyResult CheckKey<TState>(string key, IReadOnlyList<Operation> keyOperations,
        ILinearizabilityModel<TState> model, CheckOptions options, Deadline total, CancellationToken cancel)
    {
        var started = Stopwatch.GetTimestamp();
        var notChecked = cancel.IsCancellationRequested ? "the check was cancelled first"
            : total.HasPassed(started) ? $"the total time budget of {total.Budget!.Value.TotalSeconds:0.###} s (TotalTimeMax) ran out first"
            : null;
        if (notChecked is not null)
        {
            return new KeyResult
            {
                Key = key,
                Verdict = Verdict.Unknown,
                Operations = keyOperations.Count,
                OperationsSearched = 0,
                Steps = 0,
                CacheEntries = 0,
                DeepestPrefix = 0,
                Elapsed = TimeSpan.Zero,
                Searched = false,
                UnknownReason = notChecked,
            };
        }

        var effective = new List<Operation>(keyOperations.Count);
        foreach (var op in keyOperations)
        {
            Invariant.Check(string.Equals(op.Key, key, StringComparison.Ordinal), "every operation belongs to the key");
            if (op.Outcome != OpOutcome.Fail) effective.Add(op);
        }
        // Invocation order makes linearized sets prefix-shaped, which the search cache stores compactly.
        var searched = model.Reduce([.. effective.OrderBy(op => op.Invoke)]);

        var search = new KeySearch<TState>(searched, model, options, total, cancel);
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

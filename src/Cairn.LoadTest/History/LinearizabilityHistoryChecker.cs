using System.Globalization;
using Cairn.Checking;

namespace Cairn.LoadTest;

/// <summary>
/// The checker behind <c>cairn bench --check</c>: the run's history, entry by entry, into
/// <see cref="Operation"/>s, then <see cref="LinearizabilityChecker"/> with the register model
/// (one key = one register; the history is split by key). Stateless and thread-safe.
/// </summary>
public sealed class LinearizabilityHistoryChecker(CheckOptions options) : IHistoryChecker
{
    /// <summary>The budgets for a run: the whole check within <paramref name="timeMax"/>, no step cap (time is the bound here).</summary>
    public static CheckOptions OptionsFor(TimeSpan timeMax) => CheckOptions.Default with
    {
        OperationsMax = BenchOptions.CheckOperationsMax,
        TotalTimeMax = timeMax,
        PerKeyStepsMax = long.MaxValue,
    };

    public CheckOptions Options { get; } = options;

    public HistoryCheckResult Check(IReadOnlyList<HistoryEntry> history, CancellationToken ct)
    {
        var result = LinearizabilityChecker.Check(history.Select(ToOperation).ToList(), Options, ct);
        var anomalies = result.IllegalKeys.Count();
        // A history not checked at all leaves every one of its keys undecided.
        var inconclusive = result.NotCheckedReason is null
            ? result.UnknownKeys.Count()
            : history.Select(e => e.Key).Distinct(StringComparer.Ordinal).Count();
        var description = result.Verdict == Verdict.Linearizable
            ? string.Create(CultureInfo.InvariantCulture, $"{result.Operations} operations, 0 anomalies")
            : result.Describe();
        return new HistoryCheckResult(result.Operations, anomalies, inconclusive, description);
    }

    /// <summary>One history entry as the checker's operation (the two shapes match field by field).</summary>
    public static Operation ToOperation(HistoryEntry e) => new()
    {
        ClientId = e.Client,
        Key = e.Key,
        Kind = e.Kind switch { HistoryOpKind.Read => OpKind.Read, HistoryOpKind.Write => OpKind.Write, _ => OpKind.Cas },
        Value = e.Value,
        Expected = e.Expected,
        Output = e.Output,
        CasSucceeded = e.CasSucceeded,
        Invoke = e.Invoke,
        Complete = e.Complete,
        Outcome = e.Outcome switch { HistoryOutcome.Ok => OpOutcome.Ok, HistoryOutcome.Fail => OpOutcome.Fail, _ => OpOutcome.Unknown },
    };
}

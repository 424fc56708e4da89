using Cairn.Checking;

namespace Cairn.LoadTest.Tests;

/// <summary>
/// The adapter the executable will use once the checker moves into a src project: the load
/// tester's history entries, field by field, into the checker's operations.
/// </summary>
public sealed class TestKitChecker : IHistoryChecker
{
    public HistoryCheckResult Check(IReadOnlyList<HistoryEntry> history, CancellationToken ct)
    {
        var operations = history.Select(ToOperation).ToList();
        var result = LinearizabilityChecker.Check(operations);
        var anomalies = result.IllegalKeys.Count();
        var inconclusive = result.UnknownKeys.Count();
        var description = anomalies == 0 && inconclusive == 0
            ? $"{result.Operations} operations, 0 anomalies"
            : result.Describe();
        return new HistoryCheckResult(result.Operations, anomalies, inconclusive, description);
    }

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

namespace Cairn.LoadTest;

public enum HistoryOpKind
{
    Read,
    Write,
    Cas,
}

public enum HistoryOutcome
{
    /// <summary>Answered; the output is known.</summary>
    Ok,

    /// <summary>Refused (4xx): definitely not applied.</summary>
    Fail,

    /// <summary>Timeout, 5xx or transport error: may or may not have been applied.</summary>
    Unknown,
}

/// <summary>
/// One client operation on one key as a history checker needs it: values are the unique tags of
/// the writes (<see cref="Values"/>), null meaning absent; times are <see cref="Clock"/> ticks.
/// The shape mirrors Cairn.Checking's <c>Operation</c> (read, write, cas; ok, fail, unknown), so
/// <see cref="LinearizabilityHistoryChecker.ToOperation"/> is a field-by-field copy.
/// </summary>
public sealed record HistoryEntry(
    int Client,
    string Key,
    HistoryOpKind Kind,
    string? Value,
    string? Expected,
    string? Output,
    bool? CasSucceeded,
    long Invoke,
    long Complete,
    HistoryOutcome Outcome);

/// <summary>What a linearizability checker said about a recorded history.</summary>
/// <param name="Anomalies">Keys whose operations cannot be linearized.</param>
/// <param name="Inconclusive">Keys the checker left undecided (a budget ran out, the check was cancelled, or it was not checked at all).</param>
/// <param name="Description">A readable account: counts, and the anomaly if any.</param>
public sealed record HistoryCheckResult(int Operations, int Anomalies, int Inconclusive, string Description)
{
    public bool Passed => Anomalies == 0 && Inconclusive == 0;
}

/// <summary>
/// The seam between the load tester and a linearizability checker:
/// <see cref="LinearizabilityHistoryChecker"/> in the product, anything else in tests.
/// </summary>
public interface IHistoryChecker
{
    /// <summary>Judges a whole history. Must return (not throw) when cancelled, with the undecided keys counted as inconclusive.</summary>
    HistoryCheckResult Check(IReadOnlyList<HistoryEntry> history, CancellationToken ct);
}

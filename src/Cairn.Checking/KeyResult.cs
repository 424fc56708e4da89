namespace Cairn.Checking;

/// <summary>The verdict for one key and what the search spent on it.</summary>
public sealed record KeyResult
{
    public required string Key { get; init; }
    public required Verdict Verdict { get; init; }

    /// <summary>Operations on this key in the history, of any outcome.</summary>
    public required int Operations { get; init; }

    /// <summary>Operations the search had to consider (after Fail and model-irrelevant ones were dropped).</summary>
    public required int OperationsSearched { get; init; }

    /// <summary>Model steps attempted.</summary>
    public required long Steps { get; init; }

    public required int CacheEntries { get; init; }

    /// <summary>The most operations the search linearized at once: how far an Unknown key got.</summary>
    public required int DeepestPrefix { get; init; }

    public required TimeSpan Elapsed { get; init; }

    /// <summary>
    /// False when the key was never searched because the whole check's time budget
    /// (<see cref="CheckOptions.TotalTimeMax"/>) ran out first; it is then Unknown.
    /// </summary>
    public bool Searched { get; init; } = true;

    /// <summary>Set when <see cref="Verdict"/> is Illegal.</summary>
    public IllegalDiagnostic? Diagnostic { get; init; }

    /// <summary>Set when <see cref="Verdict"/> is Unknown: which budget ran out.</summary>
    public string? UnknownReason { get; init; }

    public override string ToString() => Verdict switch
    {
        Verdict.Illegal => Diagnostic!.Describe(),
        Verdict.Unknown when !Searched => $"key {Operation.Quote(Key)}: not checked: {UnknownReason}",
        Verdict.Unknown => $"key {Operation.Quote(Key)}: unknown after {Steps} steps, {DeepestPrefix}/{OperationsSearched} ops linearized at best ({UnknownReason})",
        _ => $"key {Operation.Quote(Key)}: linearizable ({OperationsSearched}/{Operations} ops searched, {Steps} steps)",
    };
}

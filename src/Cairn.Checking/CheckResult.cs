using System.Globalization;
using System.Text;

namespace Cairn.Checking;

public enum Verdict
{
    /// <summary>A linearization was found (for every key, at the history level).</summary>
    Linearizable,

    /// <summary>The search proved that no linearization exists.</summary>
    Illegal,

    /// <summary>The search ran out of budget before deciding. Not a violation, not a pass.</summary>
    Unknown,
}

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

    /// <summary>Set when <see cref="Verdict"/> is Illegal.</summary>
    public IllegalDiagnostic? Diagnostic { get; init; }

    /// <summary>Set when <see cref="Verdict"/> is Unknown: which budget ran out.</summary>
    public string? UnknownReason { get; init; }

    public override string ToString() => Verdict switch
    {
        Verdict.Illegal => Diagnostic!.Describe(),
        Verdict.Unknown => $"key {Operation.Quote(Key)}: unknown after {Steps} steps, {DeepestPrefix}/{OperationsSearched} ops linearized at best ({UnknownReason})",
        _ => $"key {Operation.Quote(Key)}: linearizable ({OperationsSearched}/{Operations} ops searched, {Steps} steps)",
    };
}

/// <summary>
/// Why a key is not linearizable: the longest prefix of its operations that the search could
/// linearize (in linearization order), the state it leaves, the operation that then had to be
/// placed (its response had arrived) but could not be, and every other operation that could
/// have gone next there, each with the reason it did not.
/// </summary>
public sealed record IllegalDiagnostic(
    string Key,
    IReadOnlyList<Operation> LinearizedPrefix,
    string StateAfterPrefix,
    Operation Unplaceable,
    string UnplaceableReason,
    IReadOnlyList<BlockedOperation> OtherCandidates)
{
    public string Describe()
    {
        var text = new StringBuilder();
        text.Append("key ").Append(Operation.Quote(Key)).Append(": NOT linearizable\n");
        text.Append("  longest linearizable prefix (").Append(LinearizedPrefix.Count.ToString(CultureInfo.InvariantCulture)).Append(" ops):\n");
        for (var i = 0; i < LinearizedPrefix.Count; i++)
            text.Append("    ").Append((i + 1).ToString(CultureInfo.InvariantCulture)).Append(". ").Append(LinearizedPrefix[i]).Append('\n');
        text.Append("  state after prefix: ").Append(StateAfterPrefix).Append('\n');
        text.Append("  could not place: ").Append(Unplaceable).Append("\n    because ").Append(UnplaceableReason).Append('\n');
        if (OtherCandidates.Count > 0)
        {
            text.Append("  nor could any other operation go next:\n");
            foreach (var other in OtherCandidates)
                text.Append("    ").Append(other.Operation).Append("\n      because ").Append(other.Reason).Append('\n');
        }
        return text.ToString();
    }

    public override string ToString() => Describe();
}

/// <summary>An operation the search could not place next, and why.</summary>
public sealed record BlockedOperation(Operation Operation, string Reason);

/// <summary>The verdict for a whole history: Illegal if any key is, else Unknown if any key is.</summary>
public sealed record CheckResult
{
    public required Verdict Verdict { get; init; }

    /// <summary>One entry per key, ordered by key (ordinal).</summary>
    public required IReadOnlyList<KeyResult> Keys { get; init; }

    public required int Operations { get; init; }
    public required int OperationsOk { get; init; }
    public required int OperationsFailed { get; init; }
    public required int OperationsUnknown { get; init; }

    /// <summary>Operations the searches considered, summed over keys.</summary>
    public required int OperationsSearched { get; init; }

    public required TimeSpan Elapsed { get; init; }

    public IEnumerable<KeyResult> IllegalKeys => Keys.Where(k => k.Verdict == Verdict.Illegal);
    public IEnumerable<KeyResult> UnknownKeys => Keys.Where(k => k.Verdict == Verdict.Unknown);

    public string Describe()
    {
        var text = new StringBuilder();
        var illegal = IllegalKeys.ToList();
        var unknown = UnknownKeys.ToList();
        text.Append(CultureInfo.InvariantCulture,
            $"{Verdict}: {Operations} ops ({OperationsOk} ok, {OperationsFailed} failed, {OperationsUnknown} unknown), ");
        text.Append(CultureInfo.InvariantCulture,
            $"{Keys.Count} keys ({illegal.Count} illegal, {unknown.Count} unknown), {OperationsSearched} ops searched in {Elapsed.TotalMilliseconds:F0} ms\n");
        foreach (var key in illegal) text.Append(key.Diagnostic!.Describe());
        foreach (var key in unknown) text.Append(key).Append('\n');
        return text.ToString();
    }

    public override string ToString() => Describe();
}

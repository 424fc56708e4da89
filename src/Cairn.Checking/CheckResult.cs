using System.Globalization;
using System.Text;

namespace Cairn.Checking;

public enum Verdict
{
    /// <summary>A linearization was found (for every key, at the history level).</summary>
    Linearizable,

    /// <summary>The search proved that no linearization exists.</summary>
    Illegal,

    /// <summary>A budget ran out before deciding, or the history was not checked. Not a violation, not a pass.</summary>
    Unknown,
}

/// <summary>The verdict for a whole history: Illegal if any key is, else Unknown if any key is.</summary>
public sealed record CheckResult
{
    /// <summary><see cref="Describe"/> details at most this many illegal keys, and as many unknown ones.</summary>
    public const int KeysDescribedMax = 10;

    public required Verdict Verdict { get; init; }

    /// <summary>One entry per key, ordered by key (ordinal). Empty when <see cref="NotCheckedReason"/> is set.</summary>
    public required IReadOnlyList<KeyResult> Keys { get; init; }

    public required int Operations { get; init; }
    public required int OperationsOk { get; init; }
    public required int OperationsFailed { get; init; }
    public required int OperationsUnknown { get; init; }

    /// <summary>Operations the searches considered, summed over keys.</summary>
    public required int OperationsSearched { get; init; }

    public required TimeSpan Elapsed { get; init; }

    /// <summary>
    /// Set when the history was not checked at all (then the verdict is Unknown), e.g.
    /// "not checked: too large: … operations, more than the limit of … (OperationsMax)".
    /// </summary>
    public string? NotCheckedReason { get; init; }

    public IEnumerable<KeyResult> IllegalKeys => Keys.Where(k => k.Verdict == Verdict.Illegal);
    public IEnumerable<KeyResult> UnknownKeys => Keys.Where(k => k.Verdict == Verdict.Unknown);

    /// <summary>The counts, then the anomalies and the undecided keys; bounded in length however many keys there are.</summary>
    public string Describe()
    {
        var ic = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(ic, $"{Verdict}: {Operations} ops ({OperationsOk} ok, {OperationsFailed} failed, {OperationsUnknown} unknown), ");
        if (NotCheckedReason is not null) return text.Append(NotCheckedReason).Append('\n').ToString();

        var illegal = IllegalKeys.ToList();
        var unknown = UnknownKeys.Where(k => k.Searched).ToList();
        var unsearched = UnknownKeys.Where(k => !k.Searched).ToList();
        text.Append(ic, $"{Keys.Count} keys ({illegal.Count} illegal, {unknown.Count + unsearched.Count} unknown), ");
        text.Append(ic, $"{OperationsSearched} ops searched in {Elapsed.TotalMilliseconds:F0} ms\n");
        foreach (var key in illegal.Take(KeysDescribedMax)) text.Append(key.Diagnostic!.Describe());
        if (illegal.Count > KeysDescribedMax)
            text.Append(ic, $"… and {illegal.Count - KeysDescribedMax} more illegal keys: {Names(illegal.Skip(KeysDescribedMax))}\n");
        foreach (var key in unknown.Take(KeysDescribedMax)) text.Append(key).Append('\n');
        if (unknown.Count > KeysDescribedMax)
            text.Append(ic, $"… and {unknown.Count - KeysDescribedMax} more unknown keys: {Names(unknown.Skip(KeysDescribedMax))}\n");
        if (unsearched.Count > 0)
            text.Append(ic, $"not checked: {unsearched.Count} keys ({Names(unsearched)}): {unsearched[0].UnknownReason}\n");
        return text.ToString();
    }

    public override string ToString() => Describe();

    private static string Names(IEnumerable<KeyResult> keys)
    {
        var list = keys.ToList();
        var shown = string.Join(", ", list.Take(KeysDescribedMax).Select(k => Operation.Quote(k.Key)));
        return list.Count > KeysDescribedMax ? shown + ", …" : shown;
    }
}

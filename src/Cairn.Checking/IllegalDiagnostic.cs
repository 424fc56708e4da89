using System.Globalization;
using System.Text;

namespace Cairn.Checking;

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
    /// <summary><see cref="Describe"/> prints only the end of a longer prefix (the part next to the anomaly).</summary>
    public const int PrefixDescribedMax = 40;

    /// <summary><see cref="Describe"/> prints only the first of more other candidates.</summary>
    public const int OtherCandidatesDescribedMax = 20;

    /// <summary>A readable account, bounded in length whatever the history (the record keeps everything).</summary>
    public string Describe()
    {
        var ic = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append("key ").Append(Operation.Quote(Key)).Append(": NOT linearizable\n");
        var skipped = Math.Max(0, LinearizedPrefix.Count - PrefixDescribedMax);
        text.Append(ic, $"  longest linearizable prefix ({LinearizedPrefix.Count} ops{(skipped > 0 ? $", the last {PrefixDescribedMax} shown" : "")}):\n");
        if (skipped > 0) text.Append("    …\n");
        for (var i = skipped; i < LinearizedPrefix.Count; i++)
            text.Append(ic, $"    {i + 1}. ").Append(LinearizedPrefix[i]).Append('\n');
        text.Append("  state after prefix: ").Append(StateAfterPrefix).Append('\n');
        text.Append("  could not place: ").Append(Unplaceable).Append("\n    because ").Append(UnplaceableReason).Append('\n');
        if (OtherCandidates.Count > 0)
        {
            text.Append("  nor could any other operation go next:\n");
            foreach (var other in OtherCandidates.Take(OtherCandidatesDescribedMax))
                text.Append("    ").Append(other.Operation).Append("\n      because ").Append(other.Reason).Append('\n');
            if (OtherCandidates.Count > OtherCandidatesDescribedMax)
                text.Append(ic, $"    … and {OtherCandidates.Count - OtherCandidatesDescribedMax} more\n");
        }
        return text.ToString();
    }

    public override string ToString() => Describe();
}

/// <summary>An operation the search could not place next, and why.</summary>
public sealed record BlockedOperation(Operation Operation, string Reason);

namespace Cairn.Store.State;

/// <summary>An entry of the expiry index: keys ordered by expiry instant, then by key.</summary>
internal readonly record struct ExpiryKey(long ExpiresAtUnixMs, string Key);

internal sealed class ExpiryKeyComparer : IComparer<ExpiryKey>
{
    public static ExpiryKeyComparer Instance { get; } = new();

    public int Compare(ExpiryKey x, ExpiryKey y)
    {
        var c = x.ExpiresAtUnixMs.CompareTo(y.ExpiresAtUnixMs);
        return c != 0 ? c : string.CompareOrdinal(x.Key, y.Key);
    }
}

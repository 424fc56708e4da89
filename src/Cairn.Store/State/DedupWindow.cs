using Cairn.Store.Collections;

namespace Cairn.Store.State;

/// <summary>
/// The results of the most recent commands that carried a request id, so a retry is answered instead of
/// applied again. Immutable like the rest of the state; eviction is first in, first out by the revision
/// at which the id was first applied (a retry that hits does not refresh it), which every replica
/// computes identically.
/// </summary>
internal sealed class DedupWindow
{
    public static DedupWindow Empty { get; } = new(
        PersistentMap<string, DedupEntry>.Empty(StringComparer.Ordinal),
        PersistentMap<long, string>.Empty(Comparer<long>.Default));

    private DedupWindow(PersistentMap<string, DedupEntry> byId, PersistentMap<long, string> byRevision)
    {
        ById = byId;
        ByRevision = byRevision;
    }

    internal PersistentMap<string, DedupEntry> ById { get; }

    /// <summary>The same entries in the order they were added; the first is evicted first.</summary>
    internal PersistentMap<long, string> ByRevision { get; }

    public int Count => ById.Count;

    public bool TryGet(string requestId, out DedupEntry entry) => ById.TryGetValue(requestId, out entry!);

    public DedupWindow Add(string requestId, long revision, CommandResult result, int entriesMax)
    {
        Invariant.Check(!ById.ContainsKey(requestId), "a remembered request id is answered, never added twice");
        var byId = ById.SetItem(requestId, new DedupEntry(revision, result));
        var byRevision = ByRevision.SetItem(revision, requestId, out var added);
        Invariant.Check(added, "one request id per revision");
        // Bounded: removes at most the entries above the limit (one per add in steady state).
        while (byId.Count > Math.Max(0, entriesMax) && byRevision.TryGetFirst(out var oldest, out var oldestId))
        {
            byRevision = byRevision.Remove(oldest);
            byId = byId.Remove(oldestId);
        }
        return new DedupWindow(byId, byRevision);
    }

    /// <summary>Rebuilds a window from snapshot entries given in revision order; false when the order or ids are inconsistent.</summary>
    internal static bool TryBuild(IReadOnlyList<(long Revision, string RequestId, CommandResult Result)> entries, out DedupWindow window)
    {
        window = Empty;
        var byRevision = new PersistentMap<long, string>.SortedBuilder(Comparer<long>.Default);
        var byId = PersistentMap<string, DedupEntry>.Empty(StringComparer.Ordinal);
        foreach (var (revision, id, result) in entries)
        {
            if (!byRevision.TryAdd(revision, id)) return false;
            byId = byId.SetItem(id, new DedupEntry(revision, result), out var added);
            if (!added) return false;
        }
        window = new DedupWindow(byId, byRevision.Build());
        return true;
    }
}

internal sealed record DedupEntry(long Revision, CommandResult Result);

namespace Cairn.Consensus.Storage;

/// <summary>
/// <see cref="ILogStore"/> in memory: the product's <c>--in-memory</c> mode and the simulator's crash model
/// (a simulated crash keeps this object and drops the node). Not thread-safe, like the interface.
/// </summary>
public sealed class InMemoryLogStore : ILogStore
{
    private readonly List<Entry> _entries = [];

    public LogIndex BaseIndex { get; private set; }
    public Term BaseTerm { get; private set; }
    public LogIndex FirstIndex => BaseIndex.Next;
    public LogIndex LastIndex => new(BaseIndex.Value + (ulong)_entries.Count);

    /// <summary>Number of entries held (for tests and status).</summary>
    public int Count => _entries.Count;

    public Term TermAt(LogIndex index)
    {
        if (index < BaseIndex || index > LastIndex) Invariant.Fail($"term of {index} outside [{BaseIndex}, {LastIndex}]");
        return index == BaseIndex ? BaseTerm : _entries[Offset(index)].Term;
    }

    public IReadOnlyList<Entry> GetEntries(LogIndex from, LogIndex toExclusive, long bytesMax)
    {
        if (from < FirstIndex || from > toExclusive || toExclusive > LastIndex.Next)
            Invariant.Fail($"entries [{from}, {toExclusive}) outside [{FirstIndex}, {LastIndex.Next})");
        var result = new List<Entry>();
        long bytes = 0;
        for (var i = Offset(from); i < Offset(toExclusive); i++)
        {
            var e = _entries[i];
            if (result.Count > 0 && bytes + e.SizeBytes > bytesMax) break;
            bytes += e.SizeBytes;
            result.Add(e);
        }
        return result;
    }

    public void Append(IReadOnlyList<Entry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0) return;
        var first = entries[0].Index;
        if (first < FirstIndex || first > LastIndex.Next) Invariant.Fail($"append at {first} outside [{FirstIndex}, {LastIndex.Next}]");
        var keep = Offset(first);
        _entries.RemoveRange(keep, _entries.Count - keep);
        foreach (var e in entries)
        {
            Invariant.Check(e.Index == LastIndex.Next, "appended entries must be contiguous");
            _entries.Add(e);
        }
    }

    public void Compact(LogIndex upTo)
    {
        if (upTo <= BaseIndex || upTo > LastIndex) Invariant.Fail($"compact to {upTo} outside ({BaseIndex}, {LastIndex}]");
        var term = TermAt(upTo);
        _entries.RemoveRange(0, Offset(upTo) + 1);
        BaseIndex = upTo;
        BaseTerm = term;
    }

    public void Reset(LogIndex index, Term term)
    {
        _entries.Clear();
        BaseIndex = index;
        BaseTerm = term;
    }

    private int Offset(LogIndex index) => checked((int)(index.Value - BaseIndex.Value - 1));
}

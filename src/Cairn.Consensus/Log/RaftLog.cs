using Cairn.Consensus.Storage;

namespace Cairn.Consensus;

/// <summary>
/// The node's view of its log: the persisted <see cref="ILogStore"/> overlaid with entries (and at most one
/// incoming snapshot) that were handed out in a Ready but are not yet persisted. Tracks commit and applied.
/// <para>Invariants: applied ≤ committed ≤ last index; committed never decreases; committed entries are never
/// replaced; unstable entries are contiguous from <see cref="_unstableOffset"/>.</para>
/// </summary>
internal sealed class RaftLog
{
    private readonly ILogStore _store;

    // Entries not yet persisted; _unstable[i].Index == _unstableOffset + i. When the list is empty the offset is LastIndex + 1.
    private readonly List<Entry> _unstable = [];
    private LogIndex _unstableOffset;

    // Entries handed out in the outstanding Ready (persisted at Advance).
    private int _unstableHandedOut;

    public RaftLog(ILogStore store, LogIndex committed, LogIndex applied)
    {
        _store = store;
        _unstableOffset = store.LastIndex.Next;
        if (applied > committed || committed > store.LastIndex)
            Invariant.Fail($"restart state: applied {applied} ≤ committed {committed} ≤ last {store.LastIndex}");
        Committed = committed;
        Applied = applied;
    }

    /// <summary>A received snapshot not yet persisted by the driver; it replaces the whole log up to its index.</summary>
    public Snapshot? PendingSnapshot { get; private set; }

    /// <summary>Highest index known committed. Never decreases.</summary>
    public LogIndex Committed { get; private set; }

    /// <summary>Highest index the driver has applied (advanced past). Never exceeds <see cref="Committed"/>.</summary>
    public LogIndex Applied { get; private set; }

    public LogIndex BaseIndex => PendingSnapshot?.Meta.Index ?? _store.BaseIndex;

    public LogIndex FirstIndex => BaseIndex.Next;

    public LogIndex LastIndex =>
        _unstable.Count > 0 ? new LogIndex(_unstableOffset.Value + (ulong)_unstable.Count - 1)
        : PendingSnapshot?.Meta.Index ?? _store.LastIndex;

    public Term LastTerm => TermAt(LastIndex) ?? throw new InvalidOperationException("the last index always has a term");

    /// <summary>The last index that is both persisted and still part of this log (appends may shadow a persisted suffix).</summary>
    public LogIndex StableLastIndex => PendingSnapshot is not null ? PendingSnapshot.Meta.Index.Prev
        : _unstable.Count > 0 ? _unstableOffset.Prev : LastIndex;

    public bool HasUnstableEntries => _unstable.Count > 0;

    /// <summary>Term at <paramref name="index"/>, or null when it was compacted away or is past the end.</summary>
    public Term? TermAt(LogIndex index)
    {
        if (index > LastIndex) return null;
        if (PendingSnapshot is { } snap)
        {
            if (index == snap.Meta.Index) return snap.Meta.Term;
            if (index < snap.Meta.Index) return null;
        }
        if (_unstable.Count > 0 && index >= _unstableOffset) return _unstable[(int)(index.Value - _unstableOffset.Value)].Term;
        if (index < _store.BaseIndex) return null;
        return _store.TermAt(index);
    }

    public bool MatchTerm(LogIndex index, Term term) => TermAt(index) is { } t && t == term;

    /// <summary>The election restriction: is a log ending at (lastIndex, lastTerm) at least as up to date as ours?</summary>
    public bool IsUpToDate(LogIndex lastIndex, Term lastTerm) =>
        lastTerm > LastTerm || (lastTerm == LastTerm && lastIndex >= LastIndex);

    /// <summary>
    /// The largest index ≤ <paramref name="index"/> whose term is ≤ <paramref name="term"/> (or the first index whose
    /// term is unknown). Fast backtracking: every index above it conflicts with a log whose entry there has
    /// <paramref name="term"/>. Bounded by the log length.
    /// </summary>
    public LogIndex FindConflictByTerm(LogIndex index, Term term)
    {
        if (index > LastIndex) index = LastIndex;
        while (index > LogIndex.Zero)
        {
            var t = TermAt(index);
            if (t is null || t.Value <= term) break;
            index = index.Prev;
        }
        return index;
    }

    /// <summary>
    /// Follower side of AppendEntries after the consistency check passed: appends from the first conflicting entry.
    /// Returns the index of the last new entry.
    /// </summary>
    public LogIndex AppendFollowing(LogIndex prevIndex, IReadOnlyList<Entry> entries, out IReadOnlyList<Entry> appended)
    {
        appended = [];
        var lastNew = new LogIndex(prevIndex.Value + (ulong)entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            Invariant.Check(e.Index.Value == prevIndex.Value + 1 + (ulong)i, "AppendEntries entries must be contiguous after PrevLogIndex");
            if (MatchTerm(e.Index, e.Term)) continue;
            if (e.Index <= Committed) Invariant.Fail($"a committed entry at {e.Index} would be overwritten (commit {Committed})");
            var tail = new List<Entry>(entries.Count - i);
            for (var j = i; j < entries.Count; j++) tail.Add(entries[j]);
            TruncateAndAppend(tail);
            appended = tail;
            break;
        }
        return lastNew;
    }

    /// <summary>Leader side: appends new entries at the end of the log.</summary>
    public void AppendAtEnd(IReadOnlyList<Entry> entries)
    {
        Invariant.Check(entries.Count > 0 && entries[0].Index == LastIndex.Next, "leader appends extend the log");
        TruncateAndAppend(entries);
    }

    private void TruncateAndAppend(IReadOnlyList<Entry> entries)
    {
        Invariant.Check(_unstableHandedOut == 0, "the log changed while a Ready was outstanding");
        var first = entries[0].Index;
        if (first <= Committed || first > LastIndex.Next || first <= BaseIndex) Invariant.Fail($"append at {first} (commit {Committed}, last {LastIndex})");
        if (_unstable.Count == 0 || first <= _unstableOffset)
        {
            // Everything from `first` on is replaced; entries persisted there are shadowed until the store truncates them.
            _unstable.Clear();
            _unstableOffset = first;
        }
        else
        {
            var keep = (int)(first.Value - _unstableOffset.Value);
            _unstable.RemoveRange(keep, _unstable.Count - keep);
        }
        _unstable.AddRange(entries);
    }

    /// <summary>
    /// Entries [from, toExclusive), from the store then the unstable overlay, capped by bytes and count but never empty
    /// for a non-empty range. Null when <paramref name="from"/> was compacted away.
    /// </summary>
    public IReadOnlyList<Entry>? Slice(LogIndex from, LogIndex toExclusive, long bytesMax, int countMax)
    {
        if (from < FirstIndex) return null;
        Invariant.Check(toExclusive <= LastIndex.Next, "slice past the end of the log");
        var result = new List<Entry>();
        if (from >= toExclusive) return result;
        long bytes = 0;
        var storedEnd = _unstable.Count > 0 ? LogIndex.Min(toExclusive, _unstableOffset) : toExclusive;
        if (from < storedEnd && PendingSnapshot is null)
        {
            foreach (var e in _store.GetEntries(from, storedEnd, bytesMax))
            {
                if (!Add(e)) return result;
            }
            if (result.Count > 0 && result[^1].Index.Next < storedEnd) return result; // byte cap hit inside the store
        }
        if (_unstable.Count > 0)
        {
            var start = LogIndex.Max(from, _unstableOffset);
            for (var i = start; i < toExclusive; i = i.Next)
            {
                if (!Add(_unstable[(int)(i.Value - _unstableOffset.Value)])) break;
            }
        }
        return result;

        bool Add(Entry e)
        {
            if (result.Count > 0 && (result.Count >= countMax || bytes + e.SizeBytes > bytesMax)) return false;
            bytes += e.SizeBytes;
            result.Add(e);
            return true;
        }
    }

    public void CommitTo(LogIndex index)
    {
        if (index <= Committed) return;
        if (index > LastIndex) Invariant.Fail($"commit {index} past the last index {LastIndex}");
        Committed = index;
    }

    /// <summary>Entries to hand out for applying: committed, persisted, not yet applied, capped by bytes.</summary>
    public IReadOnlyList<Entry> NextCommitted(long bytesMax)
    {
        if (PendingSnapshot is not null) return [];
        var hi = LogIndex.Min(Committed, StableLastIndex);
        if (hi <= Applied) return [];
        return Slice(Applied.Next, hi.Next, bytesMax, int.MaxValue) ?? throw new InvalidOperationException("applied entries were compacted before being applied");
    }

    public bool HasNextCommitted => PendingSnapshot is null && LogIndex.Min(Committed, StableLastIndex) > Applied;

    public IReadOnlyList<Entry> TakeUnstable()
    {
        _unstableHandedOut = _unstable.Count;
        return _unstable.ToArray();
    }

    /// <summary>The driver persisted the entries handed out: drop them from the overlay.</summary>
    public void StableHandedOut()
    {
        _unstable.RemoveRange(0, _unstableHandedOut);
        _unstableOffset = new LogIndex(_unstableOffset.Value + (ulong)_unstableHandedOut);
        _unstableHandedOut = 0;
        if (_unstable.Count == 0) Invariant.Check(_unstableOffset == LastIndex.Next);
    }

    public void AppliedTo(LogIndex index)
    {
        if (index < Applied || index > Committed) Invariant.Fail($"applied {index} must be in [{Applied}, {Committed}]");
        Applied = index;
    }

    /// <summary>Adopts a fully received snapshot: the whole log up to its index is replaced by it.</summary>
    public void Restore(Snapshot snapshot)
    {
        Invariant.Check(snapshot.Meta.Index > Committed, "only a snapshot past the commit index is installed");
        Invariant.Check(_unstableHandedOut == 0, "the log changed while a Ready was outstanding");
        PendingSnapshot = snapshot;
        _unstable.Clear();
        _unstableOffset = snapshot.Meta.Index.Next;
        Committed = snapshot.Meta.Index;
    }

    /// <summary>The driver persisted and restored the pending snapshot.</summary>
    public void SnapshotPersisted()
    {
        var snap = PendingSnapshot ?? throw new InvalidOperationException("no pending snapshot");
        PendingSnapshot = null;
        Invariant.Check(_store.BaseIndex == snap.Meta.Index, "the driver must reset the log store to the installed snapshot");
        Applied = snap.Meta.Index;
    }

    /// <summary>Compacts the persisted log after a local snapshot (the caller checked the range).</summary>
    public bool CompactStore(LogIndex upTo)
    {
        if (upTo <= _store.BaseIndex || upTo > StableLastIndex || upTo > Applied) return false;
        _store.Compact(upTo);
        return true;
    }
}

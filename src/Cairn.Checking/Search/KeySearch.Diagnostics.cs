namespace Cairn.Checking;

/// <summary>
/// Tracks the deepest path the search reaches and the operation it got stuck on there, so an
/// illegal verdict can say how far a linearization got and what could not follow.
/// </summary>
internal sealed partial class KeySearch<TState>
{
    // _dirtyFrom is the shallowest depth the path has been popped to since _best was copied,
    // so a new best copies only what changed (amortised O(1) per step on forward progress).
    private readonly int[] _best;
    private int _bestDepth;
    private int _dirtyFrom;
    private int _stuck = Nil;
    private List<BlockedOperation> _blocked = [];
    private bool _hopelessStuck;
    private string _hopelessNote = "";

    public int DeepestPrefix => _bestDepth;

    private void NoteDepth()
    {
        if (_depth <= _bestDepth) return;
        Array.Copy(_pathCalls, _dirtyFrom, _best, _dirtyFrom, _depth - _dirtyFrom);
        _bestDepth = _depth;
        _dirtyFrom = _depth;
        _stuck = Nil;
    }

    private void NotePop()
    {
        if (_depth < _dirtyFrom) _dirtyFrom = _depth;
    }

    /// <summary>
    /// Records <paramref name="op"/> as the blocker if the path is the deepest one, with the
    /// reason each candidate of this configuration was refused.
    /// </summary>
    private void NoteStuck(int op)
    {
        if (_depth != _bestDepth || _dirtyFrom < _depth || _stuck != Nil) return;
        _stuck = op;
        _blocked = [];
        for (var node = _next[Head]; IsCall(node); node = _next[node])
            _blocked.Add(new BlockedOperation(_operations[OperationOf(node)], WhyNot(OperationOf(node))));
    }

    /// <summary>
    /// The search ends at a hopeless operation: the current path is the prefix to report,
    /// deepest or not, because it ends where the proof of illegality is.
    /// </summary>
    private void NoteHopeless(int op)
    {
        Array.Copy(_pathCalls, _best, _depth);
        _bestDepth = _depth;
        _dirtyFrom = _depth;
        _stuck = Nil;
        NoteStuck(op);
        _hopelessStuck = true;
    }

    /// <summary>The budget ran out before the search reached a hopeless operation.</summary>
    private void NoteHopelessWithoutPath(int op, string budget)
    {
        _bestDepth = 0;
        _stuck = op;
        _blocked = [];
        _hopelessStuck = true;
        _hopelessNote = $" (the search stopped before reaching it: {budget}, so no prefix is shown)";
    }

    private string WhyNot(int op)
    {
        if (!_model.Step(_state, _operations[op], out var next)) return $"it does not fit state {_model.Describe(_state)}";
        _set.Add(op);
        var stranded = StrandedRequirer(op);
        var seen = stranded == Nil && !_cache.TryAdd(_set, next, StateHash(next));
        Unlinearize(op);
        if (stranded != Nil)
            return $"it would leave {_model.Describe(_state)} for good while {_operations[stranded]} still has to observe it";
        Invariant.Check(seen, "a candidate at the deepest point was refused for a reason");
        return "every continuation after it was already explored";
    }

    /// <summary>The longest linearizable prefix and the operation that could not follow it.</summary>
    public IllegalDiagnostic Diagnose(string key)
    {
        Invariant.Check(_stuck != Nil, "an illegal search always ends stuck at a return event");
        var prefix = new List<Operation>(_bestDepth);
        var state = _model.Initial;
        for (var i = 0; i < _bestDepth; i++)
        {
            var op = _operations[OperationOf(_best[i])];
            var stepped = _model.Step(state, op, out state);
            Invariant.Check(stepped, "the recorded prefix replays through the model");
            prefix.Add(op);
        }
        var unplaceable = _operations[_stuck];
        var reason = _hopelessStuck
            ? HopelessReason(_stuck) + ", so no order can place it" + _hopelessNote
            : _blocked.Find(b => ReferenceEquals(b.Operation, unplaceable))?.Reason ?? "no order of the pending operations could place it";
        var others = _blocked.FindAll(b => !ReferenceEquals(b.Operation, unplaceable));
        return new IllegalDiagnostic(key, prefix, _model.Describe(state), unplaceable, reason, others);
    }
}

using System.Diagnostics;

namespace Cairn.TestKit.Linearizability;

/// <summary>
/// Wing and Gong's linearizability search with Lowe's memoisation, for the operations of one
/// key. Repeatedly linearize the first operation in the event list whose model step succeeds
/// and whose (linearized set, state) configuration is new; when the scan reaches a return
/// event, that operation should already have been linearized, so backtrack. Unknown operations
/// are optional: they return at +infinity, so when the first remaining return event is an
/// Unknown one, every completed operation has been placed and the history is linearizable.
/// Single-threaded; one instance per key and per run.
/// </summary>
internal sealed partial class KeySearch<TState>
{
    // How often the wall clock is read: often enough to stop within milliseconds of the budget,
    // rarely enough not to show up in the profile.
    private const int StepsPerClockCheck = 4096;

    private readonly IReadOnlyList<Operation> _operations;
    private readonly ILinearizabilityModel<TState> _model;
    private readonly CheckOptions _options;
    private readonly EqualityComparer<TState> _stateComparer = EqualityComparer<TState>.Default;

    // The current path: the call node and the state before it, for each linearized operation.
    private readonly int[] _pathCalls;
    private readonly TState[] _pathStates;
    private int _depth;

    // The deepest path seen, for the diagnostic. _dirtyFrom is the shallowest depth the current
    // path has been popped to since _best was taken, so a new best copies only what changed.
    private readonly int[] _best;
    private int _bestDepth;
    private int _dirtyFrom;
    private int _stuck = Nil;

    public KeySearch(IReadOnlyList<Operation> operations, ILinearizabilityModel<TState> model, CheckOptions options)
    {
        _operations = operations;
        _model = model;
        _options = options;
        _pathCalls = new int[operations.Count];
        _pathStates = new TState[operations.Count];
        _best = new int[operations.Count];
        BuildEventList();
    }

    public long Steps { get; private set; }

    public int CacheEntries { get; private set; }

    public string? UnknownReason { get; private set; }

    public Verdict Run()
    {
        var started = Stopwatch.GetTimestamp();
        var set = new LinearizedSet(_operations.Count);
        var cache = new SearchCache<TState>(_operations.Count, _stateComparer);
        var state = _model.Initial;
        var entry = _next[Head];
        try
        {
            while (entry != Nil)
            {
                if (IsCall(entry))
                {
                    var op = OperationOf(entry);
                    if (++Steps > _options.PerKeyStepsMax) return OutOfBudget($"step budget of {_options.PerKeyStepsMax} exhausted");
                    if (Steps % StepsPerClockCheck == 0 && _options.PerKeyTimeMax is { } timeMax && Stopwatch.GetElapsedTime(started) > timeMax)
                        return OutOfBudget($"time budget of {timeMax.TotalSeconds:F1} s exhausted");

                    if (_model.Step(state, _operations[op], out var next))
                    {
                        set.Add(op);
                        if (cache.TryAdd(set, next, next is null ? 0 : _stateComparer.GetHashCode(next)))
                        {
                            Push(entry, state);
                            state = next;
                            Lift(entry);
                            entry = _next[Head];
                            if (cache.ApproximateBytes > _options.PerKeyCacheBytesMax)
                                return OutOfBudget($"cache budget of {_options.PerKeyCacheBytesMax / (1024 * 1024)} MiB exhausted");
                            continue;
                        }
                        set.Remove(op);
                    }
                    entry = _next[entry];
                }
                else
                {
                    var op = OperationOf(entry);
                    if (_operations[op].Outcome == OpOutcome.Unknown) return Verdict.Linearizable;
                    if (_depth == _bestDepth && _dirtyFrom >= _depth && _stuck == Nil) _stuck = op;
                    if (_depth == 0) return Verdict.Illegal;
                    var call = Pop(out state);
                    set.Remove(OperationOf(call));
                    Unlift(call);
                    entry = _next[call];
                }
            }
            return Verdict.Linearizable;
        }
        finally
        {
            CacheEntries = cache.Count;
        }
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
        return new IllegalDiagnostic(key, prefix, _model.Describe(state), _operations[_stuck]);
    }

    private void Push(int call, TState stateBefore)
    {
        _pathCalls[_depth] = call;
        _pathStates[_depth] = stateBefore;
        _depth++;
        if (_depth <= _bestDepth) return;
        Array.Copy(_pathCalls, _dirtyFrom, _best, _dirtyFrom, _depth - _dirtyFrom);
        _bestDepth = _depth;
        _dirtyFrom = _depth;
        _stuck = Nil;
    }

    private int Pop(out TState stateBefore)
    {
        _depth--;
        stateBefore = _pathStates[_depth];
        _pathStates[_depth] = default!;
        if (_depth < _dirtyFrom) _dirtyFrom = _depth;
        return _pathCalls[_depth];
    }

    private Verdict OutOfBudget(string reason)
    {
        UnknownReason = reason;
        return Verdict.Unknown;
    }
}

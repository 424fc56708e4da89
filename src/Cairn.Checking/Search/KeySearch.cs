using System.Diagnostics;

namespace Cairn.Checking;

/// <summary>
/// Wing and Gong's linearizability search with Lowe's memoisation, for the operations of one
/// key. In each configuration (set of linearized operations, model state) the candidates are
/// the calls before the first return event in the list. Try them in call order; linearize the
/// first one whose model step succeeds and whose resulting configuration is new; when none is
/// left, the first return event's operation should already have been linearized, so backtrack.
/// Unknown operations are optional: they return at +infinity, so once the first remaining
/// return is an Unknown one, every Ok operation has been placed and the history is
/// linearizable.
///
/// Three sound reductions keep dense histories tractable (each is cross-checked against the
/// brute-force definition in the tests): read-only operations are committed as soon as they
/// fit (<see cref="ILinearizabilityModel{TState}.IsReadOnly"/>); steps that strand a value a
/// pending operation still needs are refused (KeySearch.ValuePruning.cs); and operations that
/// real time alone makes unplaceable end the search as soon as they are due (KeySearch.Hopeless.cs).
/// Single-threaded; one instance per key and per run.
/// </summary>
internal sealed partial class KeySearch<TState>
{
    // How often the wall clock is read: often enough to stop within milliseconds of the budget,
    // rarely enough not to show up in the profile.
    private const int IterationsPerClockCheck = 4096;

    private readonly IReadOnlyList<Operation> _operations;
    private readonly bool[] _readOnly;
    private readonly ILinearizabilityModel<TState> _model;
    private readonly CheckOptions _options;
    private readonly Deadline _total;
    private readonly CancellationToken _cancel;
    private readonly EqualityComparer<TState> _stateComparer = EqualityComparer<TState>.Default;
    private readonly LinearizedSet _set;
    private readonly SearchCache<TState> _cache;

    // The current path: per linearized operation its call node, the state before it, and
    // whether it was a committed read-only operation (whose failure fails its parent too).
    private readonly int[] _pathCalls;
    private readonly TState[] _pathStates;
    private readonly bool[] _pathCommitted;
    private int _depth;
    private TState _state;

    /// <param name="total">When the whole check's time runs out (<see cref="CheckOptions.TotalTimeMax"/>).</param>
    /// <param name="cancel">Read with the clock: a cancelled search ends Unknown.</param>
    public KeySearch(IReadOnlyList<Operation> operations, ILinearizabilityModel<TState> model, CheckOptions options, Deadline total,
        CancellationToken cancel)
    {
        _operations = operations;
        _model = model;
        _options = options;
        _total = total;
        _cancel = cancel;
        _set = new LinearizedSet(operations.Count);
        _cache = new SearchCache<TState>(_stateComparer);
        _pathCalls = new int[operations.Count];
        _pathStates = new TState[operations.Count];
        _pathCommitted = new bool[operations.Count];
        _best = new int[operations.Count];
        _state = model.Initial;
        _readOnly = new bool[operations.Count];
        for (var i = 0; i < operations.Count; i++) _readOnly[i] = model.IsReadOnly(operations[i]);
        BuildEventList();
        BuildValueIndex();
    }

    public long Steps { get; private set; }

    public int CacheEntries => _cache.Count;

    public string? UnknownReason { get; private set; }

    /// <summary>Runs the search once.</summary>
    public Verdict Run()
    {
        var perKey = Deadline.After(Stopwatch.GetTimestamp(), _options.PerKeyTimeMax);
        var fresh = true; // The current configuration has not been looked at yet.
        var cursor = Nil; // Otherwise: the next node to consider as a candidate.
        long iterations = 0;
        while (_next[Head] != Nil)
        {
            if (Steps >= _options.PerKeyStepsMax) return OutOfBudget($"step budget of {_options.PerKeyStepsMax} exhausted");
            if (++iterations % IterationsPerClockCheck == 0 && MustStop(perKey) is { } why) return OutOfBudget(why);
            if (_cache.ApproximateBytes > _options.PerKeyCacheBytesMax)
                return OutOfBudget($"cache budget of {_options.PerKeyCacheBytesMax / (1024 * 1024)} MiB exhausted");

            if (fresh)
            {
                fresh = false;
                cursor = _next[Head];
                var readOnly = FittingReadOnlyCandidate(out var firstReturn);
                // The earliest pending response is an Unknown one, so every Ok operation has been
                // placed: the remaining Unknown ones are taken never to have happened.
                if (_operations[OperationOf(firstReturn)].Outcome == OpOutcome.Unknown) return Verdict.Linearizable;
                if (readOnly != Nil)
                {
                    // Committing loses nothing (see IsReadOnly), so if the configuration after it
                    // was explored already, this one is dead as well.
                    if (TryLinearize(readOnly, _state, committed: true)) fresh = true;
                    else if (!Backtrack(out cursor)) return Verdict.Illegal;
                    continue;
                }
            }

            if (!IsCall(cursor))
            {
                // No candidate left: cursor is the first return event, whose operation had to be
                // linearized by now and could not be. If it could never be, stop here rather than
                // prove it by exhausting every other order.
                if (IsHopeless(OperationOf(cursor)))
                {
                    NoteHopeless(OperationOf(cursor));
                    return Verdict.Illegal;
                }
                NoteStuck(OperationOf(cursor));
                if (!Backtrack(out cursor)) return Verdict.Illegal;
                continue;
            }

            var candidate = cursor;
            cursor = _next[cursor];
            var op = OperationOf(candidate);
            if (_readOnly[op]) continue; // It did not fit this state, or it would have been committed.
            Steps++;
            if (_model.Step(_state, _operations[op], out var next) && TryLinearize(candidate, next, committed: false))
                fresh = true;
        }
        return Verdict.Linearizable;
    }

    /// <summary>
    /// Adds the call's operation to the path with <paramref name="next"/> as the new state,
    /// unless that strands a needed value or the configuration was seen before.
    /// </summary>
    private bool TryLinearize(int call, TState next, bool committed)
    {
        var op = OperationOf(call);
        _set.Add(op);
        if (StrandedRequirer(op) != Nil || !_cache.TryAdd(_set, next, StateHash(next)))
        {
            Unlinearize(op);
            return false;
        }
        _pathCalls[_depth] = call;
        _pathStates[_depth] = _state;
        _pathCommitted[_depth] = committed;
        _depth++;
        EnterValue(op);
        _state = next;
        Lift(call);
        NoteDepth();
        return true;
    }

    /// <summary>
    /// Undoes linearizations until a configuration with untried candidates is reached, and
    /// returns the next candidate there. Committed read-only frames fail together with their
    /// parent. False when the empty configuration itself has failed: the history is illegal.
    /// </summary>
    private bool Backtrack(out int cursor)
    {
        while (_depth > 0)
        {
            _depth--;
            var call = _pathCalls[_depth];
            _state = _pathStates[_depth];
            _pathStates[_depth] = default!;
            LeaveValue();
            NotePop();
            Unlinearize(OperationOf(call));
            Unlift(call);
            if (_pathCommitted[_depth]) continue;
            cursor = _next[call];
            return true;
        }
        cursor = Nil;
        return false;
    }

    private void Unlinearize(int op)
    {
        _set.Remove(op);
        Unlinearized(op);
    }

    /// <summary>
    /// The first read-only candidate whose output fits the current state, or Nil; also the
    /// first pending return event (never Nil while operations remain: every call has a later return).
    /// </summary>
    private int FittingReadOnlyCandidate(out int firstReturn)
    {
        var found = Nil;
        var node = _next[Head];
        for (; IsCall(node); node = _next[node])
        {
            var op = OperationOf(node);
            if (found != Nil || !_readOnly[op]) continue;
            Steps++;
            if (_model.Step(_state, _operations[op], out _)) found = node;
        }
        firstReturn = node;
        return found;
    }

    /// <summary>Why the search must stop now, if it must: cancelled, or the key's or the whole check's time is up.</summary>
    private string? MustStop(Deadline perKey)
    {
        if (_cancel.IsCancellationRequested) return "the check was cancelled during this search";
        var now = Stopwatch.GetTimestamp();
        if (perKey.HasPassed(now)) return $"time budget of {perKey.Budget!.Value.TotalSeconds:0.###} s exhausted";
        if (_total.HasPassed(now)) return $"the total time budget of {_total.Budget!.Value.TotalSeconds:0.###} s (TotalTimeMax) ran out during this search";
        return null;
    }

    private int StateHash(TState state) => state is null ? 0 : _stateComparer.GetHashCode(state);

    private Verdict OutOfBudget(string reason)
    {
        // A hopeless operation already proves the key illegal; only the path to it is missing.
        var hopeless = _pruning ? FirstHopeless() : Nil;
        if (hopeless != Nil)
        {
            NoteHopelessWithoutPath(hopeless, reason);
            return Verdict.Illegal;
        }
        UnknownReason = reason;
        return Verdict.Unknown;
    }
}

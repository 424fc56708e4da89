namespace Cairn.Checking;

/// <summary>
/// Pruning for value-like models (see <see cref="ILinearizabilityModel{TState}.TryGetValueFlow"/>).
/// Values are interned to ids. For each value the search keeps the Ok operations that require
/// it, sorted by response time, and the operations that produce it, sorted by invocation, each
/// with a cursor below which every entry is linearized (a cursor moves back on unlinearize).
/// When a step moves the state away from value v, the earliest-responding pending requirer of v
/// must still be able to see v again, so some unlinearized producer of v must be invoked no
/// later than that response; otherwise the step is rejected as if the model had refused it.
/// </summary>
internal sealed partial class KeySearch<TState>
{
    private bool _pruning;
    private int[] _requiredValue = [];
    private int[] _producedValue = [];
    private int[] _requirerPosition = [];
    private int[] _producerPosition = [];
    private int[][] _requirers = [];
    private int[][] _producers = [];
    private int[] _requirerCursor = [];
    private int[] _producerCursor = [];

    // The value id of the current state, and of the state before each linearized operation.
    private int _value = Nil;
    private int[] _pathValues = [];

    // The state each value id stands for.
    private TState[] _values = [];

    private void BuildValueIndex()
    {
        var count = _operations.Count;
        var flows = new ValueFlow<TState>[count];
        for (var i = 0; i < count; i++)
        {
            if (!_model.TryGetValueFlow(_operations[i], out flows[i])) return;
            // An operation that changes the state to something unknown could produce any value.
            if (!_readOnly[i] && !flows[i].Produces) return;
        }

        var ids = new Dictionary<Boxed, int>();
        var nullId = Nil;
        var values = 0;
        int Intern(TState value)
        {
            if (value is null) return nullId == Nil ? nullId = values++ : nullId;
            if (!ids.TryGetValue(new Boxed(value), out var id)) ids[new Boxed(value)] = id = values++;
            return id;
        }

        _requiredValue = new int[count];
        _producedValue = new int[count];
        for (var i = 0; i < count; i++)
        {
            var flow = flows[i];
            _requiredValue[i] = flow.Requires && _operations[i].Outcome == OpOutcome.Ok ? Intern(flow.Required) : Nil;
            _producedValue[i] = flow.Produces ? Intern(flow.Produced) : Nil;
        }
        _value = Intern(_model.Initial);
        _values = new TState[values];
        foreach (var (boxed, id) in ids) _values[id] = boxed.Value;
        if (nullId != Nil) _values[nullId] = default!;
        _requirers = Group(_requiredValue, values, (a, b) => _operations[a].Complete.CompareTo(_operations[b].Complete), out _requirerPosition);
        _producers = Group(_producedValue, values, (a, b) => _operations[a].Invoke.CompareTo(_operations[b].Invoke), out _producerPosition);
        _requirerCursor = new int[values];
        _producerCursor = new int[values];
        _pathValues = new int[count];
        _hopeless = FindHopeless();
        // A hopeless operation must not also stall the search through stranding: the search
        // should run on to its response, where the proof is, and report the path to it.
        for (var op = 0; op < count; op++)
            if (_hopeless[op]) _requiredValue[op] = Nil;
        _requirers = Group(_requiredValue, values, (a, b) => _operations[a].Complete.CompareTo(_operations[b].Complete), out _requirerPosition);
        _pruning = true;
    }

    /// <summary>
    /// The pending operation that linearizing <paramref name="op"/> (already in the set) from
    /// the current state would leave unable ever to see the value it requires, or Nil.
    /// </summary>
    private int StrandedRequirer(int op)
    {
        if (!_pruning || _readOnly[op] || _producedValue[op] == _value) return Nil;
        var leaving = _value;
        var requirer = FirstUnlinearized(_requirers[leaving], ref _requirerCursor[leaving], _set);
        if (requirer == Nil) return Nil;
        var producer = FirstUnlinearized(_producers[leaving], ref _producerCursor[leaving], _set);
        return producer == Nil || _operations[producer].Invoke > _operations[requirer].Complete ? requirer : Nil;
    }

    private static int FirstUnlinearized(int[] ops, ref int cursor, LinearizedSet set)
    {
        while (cursor < ops.Length && set.Contains(ops[cursor])) cursor++;
        return cursor < ops.Length ? ops[cursor] : Nil;
    }

    /// <summary>Keeps the cursors' invariant when <paramref name="op"/> leaves the linearized set.</summary>
    private void Unlinearized(int op)
    {
        if (!_pruning) return;
        var required = _requiredValue[op];
        if (required != Nil && _requirerPosition[op] < _requirerCursor[required]) _requirerCursor[required] = _requirerPosition[op];
        var produced = _producedValue[op];
        if (produced != Nil && _producerPosition[op] < _producerCursor[produced]) _producerCursor[produced] = _producerPosition[op];
    }

    /// <summary>Called after <paramref name="op"/> was pushed at depth <c>_depth - 1</c>.</summary>
    private void EnterValue(int op)
    {
        if (!_pruning) return;
        _pathValues[_depth - 1] = _value;
        if (!_readOnly[op]) _value = _producedValue[op];
    }

    /// <summary>Called after the frame at depth <c>_depth</c> was popped.</summary>
    private void LeaveValue()
    {
        if (_pruning) _value = _pathValues[_depth];
    }

    /// <summary>A dictionary key for a state (record struct equality uses the default comparer).</summary>
    private readonly record struct Boxed(TState Value);

    private static int[][] Group(int[] valueOf, int values, Comparison<int> order, out int[] position)
    {
        var lists = new List<int>[values];
        for (var v = 0; v < values; v++) lists[v] = [];
        for (var op = 0; op < valueOf.Length; op++)
            if (valueOf[op] != Nil) lists[valueOf[op]].Add(op);
        position = new int[valueOf.Length];
        var groups = new int[values][];
        for (var v = 0; v < values; v++)
        {
            lists[v].Sort(order);
            groups[v] = [.. lists[v]];
            for (var p = 0; p < groups[v].Length; p++) position[groups[v][p]] = p;
        }
        return groups;
    }
}

namespace Cairn.Checking;

/// <summary>
/// Operations that no linearization can place, found before the search from real time alone,
/// so that the classic anomalies (a stale read, a lost write, a read of a value never written)
/// are reported at once instead of after exhausting every order of their neighbours.
///
/// An Ok operation R requiring value x is hopeless when every operation that could be the last
/// one to set x before R is provably followed, before R, by an Ok operation Z that sets another
/// value: Z completed after that setter completed and before R was invoked, so real time puts
/// Z between them. The setter least likely to be overtaken is the one that completes last
/// (Unknown ones complete at +infinity and are never overtaken), so checking it suffices. When
/// x is the initial state, "no setter at all" is one more option, overtaken by any Ok setter
/// that completes before R is invoked.
/// </summary>
internal sealed partial class KeySearch<TState>
{
    // Ok operations that can never be placed, whatever else happens, and why.
    private bool[] _hopeless = [];
    private readonly Dictionary<int, string> _hopelessReasons = [];

    private string HopelessReason(int op) => _hopelessReasons[op];

    private bool IsHopeless(int op) => _pruning && _hopeless[op];

    /// <summary>The hopeless operation that completes first, or Nil.</summary>
    private int FirstHopeless()
    {
        var first = Nil;
        for (var op = 0; op < _hopeless.Length; op++)
            if (_hopeless[op] && (first == Nil || _operations[op].Complete < _operations[first].Complete)) first = op;
        return first;
    }

    private bool[] FindHopeless()
    {
        var count = _operations.Count;
        var hopeless = new bool[count];
        var overtakers = new Overtakers(this);
        for (var value = 0; value < _requirers.Length; value++)
        {
            var producers = _producers[value]; // sorted by invocation
            var latestSetter = new int[producers.Length]; // among producers[0..p], the one completing last
            for (var p = 0; p < producers.Length; p++)
                latestSetter[p] = p > 0 && CompletionOf(latestSetter[p - 1]) >= CompletionOf(producers[p]) ? latestSetter[p - 1] : producers[p];
            foreach (var requirer in _requirers[value])
            {
                var op = _operations[requirer];
                // The setters that may come before it are those invoked by the time it completes.
                var invokedBefore = CountInvokedBy(producers, op.Complete);
                var setter = invokedBefore > 0 ? latestSetter[invokedBefore - 1] : Nil;
                if (setter == Nil && value != _value)
                {
                    hopeless[requirer] = true;
                    _hopelessReasons[requirer] = $"nothing sets {_model.Describe(_values[value])} before it completes";
                    continue;
                }
                var after = setter == Nil ? long.MinValue : CompletionOf(setter);
                var overtaker = overtakers.FirstToCompleteInvokedAfter(after);
                if (overtaker == Nil || _operations[overtaker].Complete >= op.Invoke) continue;
                hopeless[requirer] = true;
                _hopelessReasons[requirer] = setter == Nil
                    ? $"it needs the initial state {_model.Describe(_values[value])}, but {_operations[overtaker]} changed it before it started"
                    : $"it needs {_model.Describe(_values[value])}, set at the latest by {_operations[setter]}, but {_operations[overtaker]} set another value after that and before it started";
            }
        }
        return hopeless;
    }

    private long CompletionOf(int op) =>
        _operations[op].Outcome == OpOutcome.Unknown ? long.MaxValue : _operations[op].Complete;

    private int CountInvokedBy(int[] producers, long time)
    {
        int low = 0, high = producers.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (_operations[producers[mid]].Invoke <= time) low = mid + 1;
            else high = mid;
        }
        return low;
    }

    /// <summary>
    /// The Ok operations that set the state, sorted by invocation, with for every suffix the one
    /// that completes first: "the first setter invoked after t to complete" in O(log n). It need
    /// not exclude setters of the value being checked: one invoked after the latest-completing
    /// setter completed, and completing before the requirer starts, would itself be a later-
    /// completing setter of that value, so the one found never sets it.
    /// </summary>
    private readonly struct Overtakers
    {
        private readonly long[] _invokes;
        private readonly int[] _firstToComplete;

        public Overtakers(KeySearch<TState> search)
        {
            var operations = search._operations;
            var setters = new List<int>();
            for (var op = 0; op < operations.Count; op++)
                if (operations[op].Outcome == OpOutcome.Ok && !search._readOnly[op]) setters.Add(op);
            setters.Sort((a, b) => operations[a].Invoke.CompareTo(operations[b].Invoke));

            _invokes = new long[setters.Count];
            _firstToComplete = new int[setters.Count + 1];
            _firstToComplete[setters.Count] = Nil;
            for (var i = setters.Count - 1; i >= 0; i--)
            {
                var op = setters[i];
                var best = _firstToComplete[i + 1];
                _invokes[i] = operations[op].Invoke;
                _firstToComplete[i] = best == Nil || operations[op].Complete < operations[best].Complete ? op : best;
            }
        }

        public int FirstToCompleteInvokedAfter(long time)
        {
            int low = 0, high = _invokes.Length;
            while (low < high)
            {
                var mid = (low + high) >>> 1;
                if (_invokes[mid] <= time) low = mid + 1;
                else high = mid;
            }
            return _firstToComplete[low];
        }
    }
}

namespace Cairn.Checking;

/// <summary>
/// The history of one key as a doubly linked list of call and return events in real-time
/// order, over int arrays (no node objects). Node <c>2i</c> is the call of operation i and node
/// <c>2i+1</c> its return; <see cref="Head"/> is a sentinel. Linearizing an operation lifts both
/// of its events out of the list; backtracking puts them back. Lifts and unlifts happen in
/// strict LIFO order, which is what lets a removed node remember where it belongs.
/// </summary>
internal sealed partial class KeySearch<TState>
{
    private const int Nil = -1;

    private int[] _next = [];
    private int[] _prev = [];

    private int Head => _next.Length - 1;

    private static bool IsCall(int node) => (node & 1) == 0;

    private static int OperationOf(int node) => node >> 1;

    /// <summary>
    /// Orders events by time; at equal times calls come first, so operations whose intervals
    /// touch are treated as concurrent (the conservative reading of a coarse clock). An Unknown
    /// operation returns at +infinity, after every completed operation.
    /// </summary>
    private void BuildEventList()
    {
        var nodes = _operations.Count * 2;
        var order = new int[nodes];
        var times = new long[nodes];
        for (var i = 0; i < _operations.Count; i++)
        {
            var op = _operations[i];
            order[2 * i] = 2 * i;
            order[2 * i + 1] = 2 * i + 1;
            times[2 * i] = op.Invoke;
            times[2 * i + 1] = op.Outcome == OpOutcome.Unknown ? long.MaxValue : op.Complete;
        }
        Array.Sort(order, (a, b) =>
        {
            var byTime = times[a].CompareTo(times[b]);
            if (byTime != 0) return byTime;
            var byKind = (a & 1).CompareTo(b & 1);
            return byKind != 0 ? byKind : a.CompareTo(b);
        });

        _next = new int[nodes + 1];
        _prev = new int[nodes + 1];
        var previous = Head;
        foreach (var node in order)
        {
            _next[previous] = node;
            _prev[node] = previous;
            previous = node;
        }
        _next[previous] = Nil;
    }

    private void Lift(int call)
    {
        var ret = call + 1;
        Unlink(call);
        Unlink(ret);
    }

    private void Unlift(int call)
    {
        var ret = call + 1;
        Relink(ret);
        Relink(call);
    }

    private void Unlink(int node)
    {
        _next[_prev[node]] = _next[node];
        if (_next[node] != Nil) _prev[_next[node]] = _prev[node];
    }

    private void Relink(int node)
    {
        _next[_prev[node]] = node;
        if (_next[node] != Nil) _prev[_next[node]] = node;
    }
}

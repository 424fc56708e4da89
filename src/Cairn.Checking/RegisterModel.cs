namespace Cairn.Checking;

/// <summary>
/// A register with delete, the model of one Cairn key or document: the state is the value or
/// null (absent). Read returns it; Write sets it; Delete makes it absent;
/// Cas(expected, value) swaps iff the current value equals <c>expected</c> (null expected =
/// "only if absent", i.e. create-only; null value = conditional delete) and otherwise changes
/// nothing. Values compare ordinally.
/// </summary>
public sealed class RegisterModel : ILinearizabilityModel<string?>
{
    public static RegisterModel Instance { get; } = new();

    private RegisterModel() { }

    public string? Initial => null;

    public bool Step(string? state, Operation operation, out string? next)
    {
        next = state;
        switch (operation.Kind)
        {
            case OpKind.Read:
                // An Unknown read observed nothing, so any state explains it.
                return operation.Outcome == OpOutcome.Unknown || string.Equals(state, operation.Output, StringComparison.Ordinal);
            case OpKind.Write:
                next = operation.Value;
                return true;
            case OpKind.Delete:
                next = null;
                return true;
            case OpKind.Cas:
                var matches = string.Equals(state, operation.Expected, StringComparison.Ordinal);
                // A mismatching Ok cas is a read that saw "not expected"; an Unknown cas that took
                // effect can only have been a successful one.
                var swapped = operation.Outcome == OpOutcome.Unknown || operation.CasSucceeded == true;
                if (swapped != matches) return false;
                if (swapped) next = operation.Value;
                return true;
            default:
                Invariant.Fail($"unknown operation kind {operation.Kind}");
                return false;
        }
    }

    /// <summary>
    /// Drops Unknown reads (no effect, no output) and Unknown writes/cas/deletes whose resulting
    /// state nobody ever observes. The second rule is what keeps timeouts cheap: without it every
    /// timed-out write doubles the search space. Why it is safe: in a linearization that places
    /// such an operation W, the next operation to depend on the state after W would have to read
    /// W's value (a read or a cas expecting it), and none does, so the next operation after W is a
    /// blind write/delete or nothing; removing W keeps the linearization valid. A mismatching cas
    /// can be satisfied by "any other value", which breaks that argument, so the rule is off for
    /// keys that have one.
    /// </summary>
    public IReadOnlyList<Operation> Reduce(IReadOnlyList<Operation> keyOperations)
    {
        var observed = new HashSet<string>(StringComparer.Ordinal);
        var absentObserved = false;
        var hasMismatch = false;
        foreach (var op in keyOperations)
        {
            if (op.Outcome != OpOutcome.Ok && op.Kind != OpKind.Cas) continue;
            if (op.Kind == OpKind.Read) Observe(op.Output);
            if (op.Kind == OpKind.Cas)
            {
                Observe(op.Expected);
                if (op.Outcome == OpOutcome.Ok && op.CasSucceeded == false) hasMismatch = true;
            }
        }

        var kept = new List<Operation>(keyOperations.Count);
        foreach (var op in keyOperations)
        {
            if (op.Outcome == OpOutcome.Unknown && (op.Kind == OpKind.Read || (!hasMismatch && !IsObserved(EffectOf(op)))))
                continue;
            kept.Add(op);
        }
        return kept;

        void Observe(string? value)
        {
            if (value is null) absentObserved = true;
            else observed.Add(value);
        }

        bool IsObserved(string? value) => value is null ? absentObserved : observed.Contains(value);
    }

    /// <summary>Reads, mismatched cas, and cas that would write back the value it expects.</summary>
    public bool IsReadOnly(Operation operation) => operation.Kind switch
    {
        OpKind.Read => true,
        OpKind.Cas => (operation.Outcome == OpOutcome.Ok && operation.CasSucceeded == false)
                      || string.Equals(operation.Expected, operation.Value, StringComparison.Ordinal),
        _ => false,
    };

    public bool TryGetValueFlow(Operation operation, out ValueFlow<string?> flow)
    {
        flow = operation.Kind switch
        {
            OpKind.Read => operation.Outcome == OpOutcome.Ok ? ValueFlow.Needs(operation.Output) : ValueFlow.None<string?>(),
            OpKind.Write => ValueFlow.Sets(operation.Value),
            OpKind.Delete => ValueFlow.Sets<string?>(null),
            _ when IsReadOnly(operation) => ValueFlow.None<string?>(),
            _ => new ValueFlow<string?>(true, operation.Expected, true, operation.Value),
        };
        return true;
    }

    public string Describe(string? state) => Operation.Quote(state);

    private static string? EffectOf(Operation op) => op.Kind == OpKind.Delete ? null : op.Value;
}

namespace Cairn.Checking;

/// <summary>
/// The sequential specification one key is checked against. The checker is generic over it so
/// other data types (a counter, a set) can plug in; Cairn ships <see cref="RegisterModel"/>.
/// A model must be a pure function of its arguments: the search calls it in any order, many
/// times per operation, and possibly from several threads (one key per thread).
/// </summary>
/// <typeparam name="TState">
/// The state of one key. It is stored in the search cache, so it must be immutable and have
/// value equality and a good hash (<see cref="EqualityComparer{T}.Default"/> is used).
/// </typeparam>
public interface ILinearizabilityModel<TState>
{
    /// <summary>The state of a key nobody has touched yet.</summary>
    TState Initial { get; }

    /// <summary>
    /// Applies <paramref name="operation"/> at a linearization point in <paramref name="state"/>.
    /// Returns false when the operation's recorded output is impossible there. For an operation
    /// with <see cref="OpOutcome.Unknown"/> outcome no output was seen: check only what must hold
    /// for it to take effect. Fail-outcome operations never reach the model.
    /// </summary>
    bool Step(TState state, Operation operation, out TState next);

    /// <summary>
    /// Removes, before the search, operations of one key that cannot change the verdict (for
    /// example an Unknown read). Must never remove an Ok operation whose output constrains the
    /// history. The default keeps everything.
    /// </summary>
    IReadOnlyList<Operation> Reduce(IReadOnlyList<Operation> keyOperations) => keyOperations;

    /// <summary>
    /// True if <see cref="Step"/> never changes the state for this operation, whatever the state
    /// (a read, a cas that reported a mismatch). The search then commits to such an operation as
    /// soon as it fits the current state and never tries orders that place it later. That is
    /// sound: in any valid completion, moving a state-preserving operation to the front changes
    /// no state anyone observes, and real time allows it because it is already a candidate.
    /// It is the difference between linear and exponential time on read-heavy keys. Default false.
    /// </summary>
    bool IsReadOnly(Operation operation) => false;

    /// <summary>
    /// Optional pruning for value-like states (a register): the exact state the operation
    /// requires to be placed, if any, and the exact state it leaves, if that does not depend on
    /// the state before. With it, the search drops a configuration as soon as it leaves a value
    /// that a pending operation still needs and that nothing can produce again in time — which
    /// turns "a write linearized too early" from an exponential detour into one rejected step.
    /// Return false (the default) when an operation does not fit this shape; the search then
    /// does not prune that key. Requirements of Unknown operations are ignored.
    /// </summary>
    bool TryGetValueFlow(Operation operation, out ValueFlow<TState> flow)
    {
        flow = ValueFlow.None<TState>();
        return false;
    }

    /// <summary>The state as diagnostics print it.</summary>
    string Describe(TState state);
}

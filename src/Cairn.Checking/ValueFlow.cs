namespace Cairn.Checking;

/// <summary>
/// What an operation needs from and does to a value-like state, for models where operations
/// either require the state to equal something exactly (a read, a swapping cas) or overwrite it
/// with something that does not depend on what was there (a write, a delete). See
/// <see cref="ILinearizabilityModel{TState}.TryGetValueFlow"/>.
/// </summary>
public readonly record struct ValueFlow<TState>(bool Requires, TState Required, bool Produces, TState Produced);

public static class ValueFlow
{
    public static ValueFlow<TState> None<TState>() => default;

    public static ValueFlow<TState> Needs<TState>(TState required) => new(true, required, false, default!);

    public static ValueFlow<TState> Sets<TState>(TState produced) => new(false, default!, true, produced);
}

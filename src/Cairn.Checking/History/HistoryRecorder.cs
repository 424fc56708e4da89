using System.Diagnostics;

namespace Cairn.Checking;

/// <summary>Identifies an invoked operation until its completion is recorded.</summary>
public readonly record struct OperationHandle(int Index);

/// <summary>
/// Records a history from concurrent clients. Call an <c>Invoke*</c> method just before the
/// request is sent and a <c>Complete*</c> method as soon as its answer (or failure) is known;
/// the clock is read outside the lock, at those moments. Operations never completed are
/// reported as Unknown (the client gave up or died). Thread-safe; bounded by
/// <see cref="OperationsMax"/>.
/// </summary>
public sealed class HistoryRecorder
{
    public const int OperationsMaxDefault = 4_000_000;

    private readonly Lock _lock = new();
    private readonly Func<long> _clock;
    private readonly List<Operation> _operations = [];
    private readonly List<bool> _completed = [];

    /// <param name="clock">Monotonic time shared by all clients; defaults to <see cref="Stopwatch.GetTimestamp"/>.
    /// A simulator passes its tick counter.</param>
    /// <param name="operationsMax">Invoking more operations than this is a programmer error.</param>
    public HistoryRecorder(Func<long>? clock = null, int operationsMax = OperationsMaxDefault)
    {
        Invariant.Check(operationsMax > 0);
        _clock = clock ?? Stopwatch.GetTimestamp;
        OperationsMax = operationsMax;
    }

    public int OperationsMax { get; }

    public int Count
    {
        get { lock (_lock) return _operations.Count; }
    }

    public OperationHandle InvokeRead(int clientId, string key) => Invoke(clientId, key, OpKind.Read);

    public OperationHandle InvokeWrite(int clientId, string key, string value) => Invoke(clientId, key, OpKind.Write, value);

    public OperationHandle InvokeCas(int clientId, string key, string? expected, string? value) =>
        Invoke(clientId, key, OpKind.Cas, value, expected);

    public OperationHandle InvokeDelete(int clientId, string key) => Invoke(clientId, key, OpKind.Delete);

    public OperationHandle Invoke(int clientId, string key, OpKind kind, string? value = null, string? expected = null)
    {
        var now = _clock();
        var op = new Operation
        {
            ClientId = clientId, Key = key, Kind = kind, Value = value, Expected = expected,
            Invoke = now, Complete = now, Outcome = OpOutcome.Unknown,
        };
        if (op.Validate() is { } error) Invariant.Fail($"invoked a malformed operation: {error}");
        lock (_lock)
        {
            Invariant.Check(_operations.Count < OperationsMax, "the history recorder is full");
            _operations.Add(op);
            _completed.Add(false);
            return new OperationHandle(_operations.Count - 1);
        }
    }

    /// <summary>A read answered with <paramref name="observed"/> (null = absent).</summary>
    public void CompleteRead(OperationHandle handle, string? observed) =>
        Complete(handle, OpOutcome.Ok, OpKind.Read, op => op with { Output = observed });

    /// <summary>A write or delete acknowledged.</summary>
    public void CompleteOk(OperationHandle handle) => Complete(handle, OpOutcome.Ok, null, op =>
    {
        Invariant.Check(op.Kind is OpKind.Write or OpKind.Delete, "CompleteOk is for writes and deletes");
        return op;
    });

    /// <summary>A cas answered: swapped, or mismatched (which is still information for the checker).</summary>
    public void CompleteCas(OperationHandle handle, bool succeeded) =>
        Complete(handle, OpOutcome.Ok, OpKind.Cas, op => op with { CasSucceeded = succeeded });

    /// <summary>The operation definitely did not take effect.</summary>
    public void CompleteFail(OperationHandle handle) => Complete(handle, OpOutcome.Fail, null, op => op);

    /// <summary>The operation may or may not have taken effect (timeout, lost connection).</summary>
    public void CompleteUnknown(OperationHandle handle) => Complete(handle, OpOutcome.Unknown, null, op => op);

    /// <summary>The history so far, in invocation order; operations still pending are Unknown.</summary>
    public IReadOnlyList<Operation> Snapshot()
    {
        lock (_lock) return [.. _operations];
    }

    private void Complete(OperationHandle handle, OpOutcome outcome, OpKind? kind, Func<Operation, Operation> fill)
    {
        var now = _clock();
        lock (_lock)
        {
            Invariant.Check((uint)handle.Index < (uint)_operations.Count, "the handle comes from this recorder");
            Invariant.Check(!_completed[handle.Index], "an operation is completed once");
            var op = _operations[handle.Index];
            if (kind is not null && op.Kind != kind) Invariant.Fail($"a {kind} completion for a {op.Kind} operation");
            _operations[handle.Index] = fill(op) with { Complete = now, Outcome = outcome };
            _completed[handle.Index] = true;
        }
    }
}

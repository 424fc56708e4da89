using Cairn.Store.History;
using Cairn.Store.State;

namespace Cairn.Store;

/// <summary>
/// The replicated state machine: documents in collections, raw keys with expiry, revisions, the dedup
/// window and the change history. Deterministic: the same commands at the same revisions give the same
/// state and results on every replica; no clock, no I/O except the snapshot stream.
/// </summary>
/// <remarks>
/// Threading: <see cref="Apply"/>, <see cref="Skip"/> and <see cref="InstallSnapshot"/> are called by one apply
/// thread only. <see cref="Current"/>, <see cref="AppliedRevision"/>, <see cref="TryGetEventsAfter"/> and
/// <see cref="OldestRetainedRevision"/> are safe from any thread: the state is an immutable
/// <see cref="StoreView"/> replaced by one volatile write after each command.
/// </remarks>
public sealed partial class KvStore
{
    private readonly ChangeHistory _history;
    private StoreView _current;

    public KvStore(StoreLimits limits)
        : this(limits, StoreView.Empty)
    {
    }

    private KvStore(StoreLimits limits, StoreView initial)
    {
        Invariant.Check(limits is not null, "limits are required");
        Invariant.Check(limits.KeyBytesMax > 0 && limits.ValueBytesMax > 0 && limits.TxnOpsMax > 0 && limits.JsonDepthMax > 0,
            "store limits are positive");
        Invariant.Check(limits.DedupEntriesMax >= 0 && limits.HistoryEventsMax > 0 && limits.HistoryBytesMax > 0,
            "window and history limits are non-negative");
        Limits = limits;
        _current = initial;
        _history = new ChangeHistory(limits.HistoryEventsMax, limits.HistoryBytesMax, initial.Revision);
    }

    public StoreLimits Limits { get; }

    /// <summary>The latest state; immutable, safe to read from any thread, atomic per command.</summary>
    public StoreView Current => Volatile.Read(ref _current);

    /// <summary>The revision of the last applied or skipped log entry.</summary>
    public long AppliedRevision => Current.Revision;

    /// <summary>
    /// Invoked on the apply thread for each change, after the state that contains it is published. Handlers must be
    /// cheap and must not throw (an exception stops the apply thread: the command is applied but not acknowledged).
    /// </summary>
    public event Action<ChangeEvent>? OnChange;

    /// <summary>Invoked on the apply thread after <see cref="InstallSnapshot"/> replaced the state (argument: its revision); the history restarts there.</summary>
    public event Action<long>? OnSnapshotInstalled;

    /// <summary>
    /// Invoked on the apply thread once per revision (every <see cref="Apply"/> and <see cref="Skip"/>), after the state
    /// is published, the history appended and the <see cref="OnChange"/> handlers ran: every change up to this revision
    /// is now in the history. The list holds that revision's changes in order (empty when it changed nothing) and must
    /// not be kept or modified. Same rules as <see cref="OnChange"/>: cheap, never throws.
    /// </summary>
    public event Action<long, IReadOnlyList<ChangeEvent>>? OnApplied;

    /// <summary>
    /// Applies the command at log index <paramref name="revision"/>. Every command advances the revision, whether it
    /// succeeds, fails its precondition, is rejected, or is a retry answered from the dedup window.
    /// </summary>
    public CommandResult Apply(long revision, CommandEnvelope command)
    {
        Invariant.Check(command is not null, "a command to apply");
        var start = _current;
        Invariant.Check(revision > start.Revision, "revisions strictly increase");
        CommandResult result;
        StoreView next;
        List<ChangeEvent>? events = null;
        if (CommandValidation.RequestId(command.RequestId) is { } idError)
        {
            result = new CommandResult(revision, ResultCode.Rejected, Message: idError);
            next = start.WithRevision(revision);
        }
        else if (command.RequestId is { } id && start.Dedup.TryGet(id, out var remembered))
        {
            result = remembered.Result;
            next = start.WithRevision(revision);
        }
        else
        {
            var m = new Mutation(start, revision, command.ProposedAtUnixMs);
            result = CommandExecutor.Execute(m, command.Command, Limits);
            Invariant.Check(result.Revision == revision, "a result carries its command's revision");
            if (command.RequestId is { } rid) m.Remember(rid, ResultSlimming.ForDedup(command.Command, result), Limits.DedupEntriesMax);
            next = m.Publish();
            events = m.Events;
        }
        Volatile.Write(ref _current, next);
        if (events is { Count: > 0 }) Publish(events);
        OnApplied?.Invoke(revision, (IReadOnlyList<ChangeEvent>?)events ?? []);
        return result;
    }

    /// <summary>A log index that carries no command (a Raft no-op or membership entry): only the revision moves.</summary>
    public void Skip(long revision)
    {
        var start = _current;
        Invariant.Check(revision > start.Revision, "revisions strictly increase");
        Volatile.Write(ref _current, start.WithRevision(revision));
        OnApplied?.Invoke(revision, []);
    }

    private void Publish(List<ChangeEvent> events)
    {
        _history.Append(events);
        var handlers = OnChange;
        if (handlers is null) return;
        foreach (var e in events) handlers(e);
    }

    /// <summary>The smallest revision a watcher can resume after: every event above it is retained.</summary>
    public long OldestRetainedRevision => _history.OldestRetainedRevision;

    /// <summary>
    /// The events after <paramref name="revision"/>, in order, whole revisions only (up to about <paramref name="max"/>;
    /// one txn's events are never split). False when the history no longer reaches back to
    /// <paramref name="revision"/>: the caller resynchronizes from a snapshot of the current state.
    /// </summary>
    public bool TryGetEventsAfter(long revision, int max, out IReadOnlyList<ChangeEvent> events) =>
        _history.TryGetEventsAfter(revision, max, out events);
}

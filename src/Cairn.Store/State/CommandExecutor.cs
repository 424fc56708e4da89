using Cairn.Store.Json;

namespace Cairn.Store.State;

/// <summary>
/// The semantics of each command, applied to a <see cref="Mutation"/>. Pure with respect to its inputs:
/// the same working copy and command give the same result and changes on every replica.
/// </summary>
internal static partial class CommandExecutor
{
    public static CommandResult Execute(Mutation m, Command command, StoreLimits limits)
    {
        if (CommandValidation.Check(command, limits) is { } error) return Rejected(m, error);
        return command switch
        {
            Txn t => ExecuteTxn(m, t, limits),
            Expire e => ExecuteExpire(m, e),
            _ => ExecuteWrite(m, command, limits),
        };
    }

    /// <summary>A single-item write, already validated (also a txn's write operations).</summary>
    private static CommandResult ExecuteWrite(Mutation m, Command command, StoreLimits limits) => command switch
    {
        DocPut p => DocPut(m, p),
        DocMergePatch p => DocMergePatch(m, p, limits),
        DocDelete d => DocDelete(m, d),
        KvPut k => KvPut(m, k),
        KvDelete k => KvDelete(m, k),
        _ => throw new InvalidOperationException($"{command.GetType().Name} passed validation as a single-item write"),
    };

    private static CommandResult DocPut(Mutation m, DocPut p)
    {
        var existing = m.GetDocument(p.Collection, p.Id);
        if (Violated(p.Precondition, existing?.Meta) is { } code) return Failed(m, code, Item(existing));
        var doc = m.PutDocument(p.Collection, p.Id, p.Json, existing);
        return new CommandResult(m.Revision, ResultCode.Ok, StoredItem.Of(doc), existing?.Meta);
    }

    private static CommandResult DocMergePatch(Mutation m, DocMergePatch p, StoreLimits limits)
    {
        var existing = m.GetDocument(p.Collection, p.Id);
        if (existing is null) return Failed(m, ResultCode.NotFound, null);
        if (Violated(p.Precondition, existing.Meta) is { } code) return Failed(m, code, StoredItem.Of(existing));
        var merged = JsonRules.MergePatch(existing.Json.Span, p.Patch.Span, limits, out var error);
        if (merged is null) return Rejected(m, error!, StoredItem.Of(existing));
        var doc = m.PutDocument(p.Collection, p.Id, merged, existing);
        return new CommandResult(m.Revision, ResultCode.Ok, StoredItem.Of(doc), existing.Meta);
    }

    private static CommandResult DocDelete(Mutation m, DocDelete d)
    {
        var existing = m.GetDocument(d.Collection, d.Id);
        if (Violated(d.Precondition, existing?.Meta) is { } code) return Failed(m, code, Item(existing));
        if (existing is null) return Failed(m, ResultCode.NotFound, null);
        m.DeleteDocument(existing);
        return new CommandResult(m.Revision, ResultCode.Ok, null, existing.Meta);
    }

    private static CommandResult KvPut(Mutation m, KvPut k)
    {
        var live = m.GetLiveKey(k.Key);
        if (Violated(k.Precondition, live?.Meta) is { } code) return Failed(m, code, Item(live));
        var entry = m.PutKey(k.Key, k.Value, k.ExpiresAtUnixMs, live);
        return new CommandResult(m.Revision, ResultCode.Ok, StoredItem.Of(entry), live?.Meta);
    }

    private static CommandResult KvDelete(Mutation m, KvDelete k)
    {
        var live = m.GetLiveKey(k.Key);
        if (Violated(k.Precondition, live?.Meta) is { } code) return Failed(m, code, Item(live));
        if (live is null) return Failed(m, ResultCode.NotFound, null);
        m.RemoveKey(live, ChangeType.Delete);
        return new CommandResult(m.Revision, ResultCode.Ok, null, live.Meta);
    }

    /// <summary>Removes each listed key that is stored with an expiry at or before the command's instant; others are kept.</summary>
    private static CommandResult ExecuteExpire(Mutation m, Expire e)
    {
        foreach (var key in e.Keys)
        {
            if (key is not null && m.GetStoredKey(key) is { } stored && StoreView.IsExpired(stored, e.NowUnixMs))
                m.RemoveKey(stored, ChangeType.Expire);
        }
        return new CommandResult(m.Revision, ResultCode.Ok);
    }

    /// <summary>The failure a precondition gives against the target's current metadata (null = missing), or null when it holds.</summary>
    internal static ResultCode? Violated(Precondition p, ItemMeta? current) => p.Kind switch
    {
        PreconditionKind.None => null,
        PreconditionKind.MustNotExist => current is null ? null : ResultCode.AlreadyExists,
        PreconditionKind.MustExist => current is null ? ResultCode.NotFound : null,
        PreconditionKind.RevisionEquals => current is null ? ResultCode.NotFound
            : current.Value.ModRevision == p.Revision ? null : ResultCode.RevisionMismatch,
        _ => throw new InvalidOperationException($"precondition kind {p.Kind} passed validation"),
    };

    private static StoredItem? Item(Document? d) => d is null ? null : StoredItem.Of(d);
    private static StoredItem? Item(KvEntry? k) => k is null ? null : StoredItem.Of(k);

    private static CommandResult Failed(Mutation m, ResultCode code, StoredItem? current) => new(m.Revision, code, current);

    private static CommandResult Rejected(Mutation m, string message, StoredItem? current = null) =>
        new(m.Revision, ResultCode.Rejected, current, Message: message);
}

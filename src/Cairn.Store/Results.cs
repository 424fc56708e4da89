namespace Cairn.Store;

public enum ResultCode : byte
{
    Ok = 0,
    /// <summary>The target does not exist (get/patch/delete, or a RevisionEquals/MustExist precondition).</summary>
    NotFound = 1,
    /// <summary>A MustNotExist precondition met an existing target.</summary>
    AlreadyExists = 2,
    /// <summary>A RevisionEquals precondition met a different mod revision.</summary>
    RevisionMismatch = 3,
    /// <summary>The command is well-formed but cannot apply to this state (e.g. a merge patch whose result exceeds the value limit).</summary>
    Rejected = 4,
    /// <summary>The chosen txn branch had an operation whose precondition failed; nothing applied.</summary>
    TxnAborted = 5,
}

/// <summary>The metadata every stored item carries.</summary>
/// <param name="CreateRevision">Revision of the command that created it (since its last deletion).</param>
/// <param name="ModRevision">Revision of the command that last changed it; the ETag.</param>
/// <param name="Version">1 on creation, +1 on each change.</param>
public readonly record struct ItemMeta(long CreateRevision, long ModRevision, long Version);

/// <summary>A document as stored. Immutable: the store replaces, never mutates.</summary>
public sealed record Document(string Collection, string Id, ReadOnlyMemory<byte> Json, ItemMeta Meta);

/// <summary>A raw key as stored. Immutable.</summary>
public sealed record KvEntry(string Key, ReadOnlyMemory<byte> Value, long? ExpiresAtUnixMs, ItemMeta Meta);

/// <summary>
/// The answer to one applied command. <see cref="Revision"/> is the store revision (= log index) at which the
/// command applied, whether or not it changed anything.
/// </summary>
/// <param name="Current">For a successful write: the item after the write (null after a delete).
/// For a failed precondition: the item as it is (null when missing), so a 412 can show the current ETag.</param>
/// <param name="Previous">Metadata of the item before the write, when it existed.</param>
/// <param name="Txn">Set for Txn commands only.</param>
/// <param name="Message">A sentence for Rejected/TxnAborted.</param>
public sealed record CommandResult(
    long Revision,
    ResultCode Code,
    StoredItem? Current = null,
    ItemMeta? Previous = null,
    TxnResult? Txn = null,
    string? Message = null)
{
    public bool IsOk => Code == ResultCode.Ok;
}

/// <summary>Either a document or a raw key entry.</summary>
public sealed record StoredItem(Document? Document, KvEntry? Key)
{
    public ItemMeta Meta => Document?.Meta ?? Key!.Meta;
    public static StoredItem Of(Document d) => new(d, null);
    public static StoredItem Of(KvEntry k) => new(null, k);
}

/// <param name="Succeeded">True when every compare held (the Success branch was chosen).</param>
/// <param name="Results">One result per operation of the chosen branch, in order (for a Get: Code Ok with Current, or NotFound).</param>
/// <param name="FailedOpIndex">Index in the chosen branch of the operation that aborted the txn, when Code is TxnAborted.</param>
public sealed record TxnResult(bool Succeeded, IReadOnlyList<CommandResult> Results, int? FailedOpIndex = null);

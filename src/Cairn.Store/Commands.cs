namespace Cairn.Store;

// The replicated commands. A command is data only: everything it needs to apply
// deterministically (ids, expiry instants, "now" for expiry) is chosen by the proposer
// and carried inside it, so every replica that applies the same log reaches the same state.

/// <summary>What must hold about the target before a write applies.</summary>
public enum PreconditionKind : byte
{
    /// <summary>Unconditional.</summary>
    None = 0,
    /// <summary>The target must not exist (create only, <c>If-None-Match: *</c>).</summary>
    MustNotExist = 1,
    /// <summary>The target must exist (e.g. PATCH, which never creates).</summary>
    MustExist = 2,
    /// <summary>The target must exist with this mod revision (<c>If-Match: "rev"</c>).</summary>
    RevisionEquals = 3,
}

public readonly record struct Precondition(PreconditionKind Kind, long Revision = 0)
{
    public static Precondition None => default;
    public static Precondition MustNotExist => new(PreconditionKind.MustNotExist);
    public static Precondition MustExist => new(PreconditionKind.MustExist);
    public static Precondition RevisionIs(long revision) => new(PreconditionKind.RevisionEquals, revision);
}

/// <summary>A command with the optional client request id used to answer retries without applying twice.</summary>
/// <param name="RequestId">At most <see cref="StoreLimits.RequestIdBytesMax"/> ASCII bytes; null when the client gave none.</param>
/// <param name="ProposedAtUnixMs">The proposer's clock when it built the command (0 = unknown). At apply time a
/// raw key whose expiry is at or before this instant counts as absent (for preconditions, compares and gets),
/// so a write never conflicts with a key that reads already hide.</param>
public sealed record CommandEnvelope(string? RequestId, Command Command, long ProposedAtUnixMs = 0);

public abstract record Command;

/// <summary>Create or replace a JSON document. <paramref name="Json"/> is UTF-8 JSON already validated by the proposer.</summary>
public sealed record DocPut(string Collection, string Id, ReadOnlyMemory<byte> Json, Precondition Precondition) : Command;

/// <summary>RFC 7396 merge patch of an existing document (never creates; a missing target answers NotFound).</summary>
public sealed record DocMergePatch(string Collection, string Id, ReadOnlyMemory<byte> Patch, Precondition Precondition) : Command;

public sealed record DocDelete(string Collection, string Id, Precondition Precondition) : Command;

/// <summary>Set a raw key. <paramref name="ExpiresAtUnixMs"/> is chosen by the proposer (now + ttl); null = no expiry.</summary>
public sealed record KvPut(string Key, ReadOnlyMemory<byte> Value, long? ExpiresAtUnixMs, Precondition Precondition) : Command;

public sealed record KvDelete(string Key, Precondition Precondition) : Command;

/// <summary>
/// Proposed by the leader: removes each listed key whose expiry is at or before <paramref name="NowUnixMs"/>
/// (a key re-put with a later expiry or none since the leader looked is kept).
/// </summary>
public sealed record Expire(long NowUnixMs, IReadOnlyList<string> Keys) : Command;

/// <summary>
/// etcd-style transaction: if every compare holds, apply <paramref name="Success"/>, else <paramref name="Failure"/>.
/// A branch applies atomically: if any operation of the chosen branch fails its own precondition,
/// nothing of the branch applies and the result names the failing operation.
/// </summary>
public sealed record Txn(IReadOnlyList<TxnCompare> Compares, IReadOnlyList<TxnOp> Success, IReadOnlyList<TxnOp> Failure) : Command;

/// <summary>What a compare or a txn get addresses: a document or a raw key.</summary>
public readonly record struct Target(string? Collection, string Key)
{
    public static Target Doc(string collection, string id) => new(collection, id);
    public static Target RawKey(string key) => new(null, key);
    public bool IsDocument => Collection is not null;
}

public enum CompareField : byte { Value = 0, Version = 1, CreateRevision = 2, ModRevision = 3, Exists = 4 }
public enum CompareOp : byte { Equal = 0, NotEqual = 1, Less = 2, Greater = 3 }

/// <summary>
/// A compare: for Version/CreateRevision/ModRevision the target's number (0 when missing) is compared with
/// <paramref name="Number"/>; for Exists, Number is 1 (exists) or 0 (missing) and only Equal/NotEqual apply;
/// for Value the target's bytes (documents: their UTF-8 JSON) are compared ordinally with <paramref name="Value"/>,
/// and a missing target never matches.
/// </summary>
public sealed record TxnCompare(Target Target, CompareField Field, CompareOp Op, long Number, ReadOnlyMemory<byte> Value);

/// <summary>One operation of a txn branch: a read, or one of the single-item write commands.</summary>
public abstract record TxnOp
{
    public sealed record Get(Target Target) : TxnOp;
    /// <summary>A DocPut, DocMergePatch, DocDelete, KvPut or KvDelete (never Expire or a nested Txn).</summary>
    public sealed record Write(Command Command) : TxnOp;
}

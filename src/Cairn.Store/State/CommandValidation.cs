using System.Text;
using Cairn.Store.Json;

namespace Cairn.Store.State;

/// <summary>
/// The checks the API makes before proposing, made again while applying: a command that reaches the log
/// through another path (an older node, a bug, a hand-built entry) must still never store what the API
/// would refuse. Every check depends only on the command and the limits, so every replica agrees.
/// Returns null when valid, else a sentence for the Rejected result.
/// </summary>
internal static class CommandValidation
{
    public const int CollectionNameCharsMax = 64;

    public static string? Check(Command command, StoreLimits limits) => command switch
    {
        DocPut p => Collection(p.Collection) ?? Key(p.Id, "document id", limits) ?? Precondition(p.Precondition)
            ?? JsonRules.CheckDocument(p.Json.Span, limits, "the document"),
        DocMergePatch m => Collection(m.Collection) ?? Key(m.Id, "document id", limits) ?? Precondition(m.Precondition)
            ?? JsonRules.CheckPatch(m.Patch.Span, limits),
        DocDelete d => Collection(d.Collection) ?? Key(d.Id, "document id", limits) ?? Precondition(d.Precondition),
        KvPut k => Key(k.Key, "key", limits) ?? Precondition(k.Precondition)
            ?? (k.Value.Length > limits.ValueBytesMax ? $"the value is {k.Value.Length} bytes; the limit is {limits.ValueBytesMax}" : null),
        KvDelete k => Key(k.Key, "key", limits) ?? Precondition(k.Precondition),
        Expire e => e.Keys is null ? "an expire command lists its keys" : null,
        Txn t => CheckTxn(t, limits),
        null => "the command is missing",
        _ => $"unknown command {command.GetType().Name}",
    };

    public static string? RequestId(string? requestId)
    {
        if (requestId is null) return null;
        if (requestId.Length is 0 or > StoreLimits.RequestIdBytesMax)
            return $"a request id is 1–{StoreLimits.RequestIdBytesMax} printable ASCII characters";
        foreach (var c in requestId)
        {
            if (c is <= ' ' or >= '\u007f') return "a request id is printable ASCII without spaces";
        }
        return null;
    }

    /// <summary><c>[a-z0-9][a-z0-9_-]{0,63}</c>; a leading '_' is reserved for the API's own paths.</summary>
    public static string? Collection(string? name)
    {
        if (name is null || name.Length is 0 or > CollectionNameCharsMax || !IsLowerAlnum(name[0]))
            return "a collection name is 1–64 characters of a-z, 0-9, '_' and '-', starting with a letter or digit";
        foreach (var c in name)
        {
            if (!IsLowerAlnum(c) && c != '_' && c != '-')
                return "a collection name is 1–64 characters of a-z, 0-9, '_' and '-', starting with a letter or digit";
        }
        return null;

        static bool IsLowerAlnum(char c) => c is >= 'a' and <= 'z' or >= '0' and <= '9';
    }

    /// <summary>Document ids and raw keys: non-empty, at most KeyBytesMax bytes of UTF-8, well-formed, no control characters.</summary>
    public static string? Key(string? key, string what, StoreLimits limits)
    {
        if (string.IsNullOrEmpty(key)) return $"the {what} is empty";
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (char.IsControl(c)) return $"the {what} contains a control character";
            if (char.IsSurrogate(c))
            {
                if (!char.IsHighSurrogate(c) || i + 1 >= key.Length || !char.IsLowSurrogate(key[i + 1]))
                    return $"the {what} is not well-formed Unicode";
                i++;
            }
        }
        var bytes = Encoding.UTF8.GetByteCount(key);
        return bytes > limits.KeyBytesMax ? $"the {what} is {bytes} bytes of UTF-8; the limit is {limits.KeyBytesMax}" : null;
    }

    private static string? Precondition(Precondition p) =>
        p.Kind is PreconditionKind.None or PreconditionKind.MustNotExist or PreconditionKind.MustExist or PreconditionKind.RevisionEquals
            ? null
            : $"unknown precondition kind {(byte)p.Kind}";

    private static string? CheckTxn(Txn t, StoreLimits limits)
    {
        if (t.Compares is null || t.Success is null || t.Failure is null) return "a transaction lists compares, success and failure";
        var max = limits.TxnOpsMax;
        if (t.Compares.Count > max || t.Success.Count > max || t.Failure.Count > max)
        {
            return $"a transaction has at most {max} compares and {max} operations per branch " +
                $"(got {t.Compares.Count} compares, {t.Success.Count} success and {t.Failure.Count} failure operations)";
        }
        for (var i = 0; i < t.Compares.Count; i++)
        {
            if (CheckCompare(t.Compares[i], limits) is { } error) return $"compare {i}: {error}";
        }
        return CheckBranch(t.Success, "success", limits) ?? CheckBranch(t.Failure, "failure", limits);
    }

    private static string? CheckBranch(IReadOnlyList<TxnOp> ops, string branch, StoreLimits limits)
    {
        for (var i = 0; i < ops.Count; i++)
        {
            var error = ops[i] switch
            {
                TxnOp.Get g => Target(g.Target, limits),
                TxnOp.Write { Command: DocPut or DocMergePatch or DocDelete or KvPut or KvDelete } w => Check(w.Command, limits),
                TxnOp.Write => "a transaction writes with put, patch and delete only",
                _ => "unknown transaction operation",
            };
            if (error is not null) return $"{branch} operation {i}: {error}";
        }
        return null;
    }

    private static string? CheckCompare(TxnCompare c, StoreLimits limits)
    {
        if (c is null) return "the compare is missing";
        if (Target(c.Target, limits) is { } error) return error;
        if (c.Field is < CompareField.Value or > CompareField.Exists) return $"unknown compare field {(byte)c.Field}";
        if (c.Op is < CompareOp.Equal or > CompareOp.Greater) return $"unknown compare operator {(byte)c.Op}";
        if (c.Field == CompareField.Exists && (c.Op is not (CompareOp.Equal or CompareOp.NotEqual) || c.Number is not (0 or 1)))
            return "an exists compare is == or != against 1 (exists) or 0 (missing)";
        if (c.Value.Length > limits.ValueBytesMax) return $"the compared value is {c.Value.Length} bytes; the limit is {limits.ValueBytesMax}";
        return null;
    }

    private static string? Target(Target t, StoreLimits limits) =>
        t.IsDocument ? Collection(t.Collection) ?? Key(t.Key, "document id", limits) : Key(t.Key, "key", limits);
}

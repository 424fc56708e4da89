using System.Text;
using System.Text.Json;
using Cairn.Store;

namespace Cairn.Api;

/// <summary>Turns a transaction body into a <see cref="Txn"/> command, naming the exact field of any mistake.</summary>
internal sealed class TxnParser(RequestValidation validate, long nowUnixMs)
{
    public Txn Parse(byte[] body)
    {
        using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = validate.Options.JsonDepthMax + 1 });
        var root = doc.RootElement;
        foreach (var p in root.EnumerateObject())
        {
            if (p.Name is not ("compare" or "success" or "failure"))
                throw Invalid($"unknown member '{p.Name}'; a transaction has compare, success and failure");
        }
        var compares = Array(root, "compare").Select((e, i) => Compare(e, $"compare[{i}]")).ToList();
        var success = Array(root, "success").Select((e, i) => Op(e, $"success[{i}]")).ToList();
        var failure = Array(root, "failure").Select((e, i) => Op(e, $"failure[{i}]")).ToList();
        var max = validate.Options.TxnOpsMax;
        if (compares.Count > max || success.Count > max || failure.Count > max)
        {
            throw new ApiProblemException(ProblemKind.TooLarge,
                $"a transaction has at most {max} compares and {max} operations per branch " +
                $"(got {compares.Count} compares, {success.Count} success and {failure.Count} failure operations)");
        }
        return new Txn(compares, success, failure);
    }

    private static List<JsonElement> Array(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return [];
        if (e.ValueKind != JsonValueKind.Array) throw Invalid($"'{name}' must be an array");
        return e.EnumerateArray().ToList();
    }

    private TxnCompare Compare(JsonElement e, string where)
    {
        RequireObject(e, where);
        var target = Target(e, where);
        var field = String(e, "field", where) switch
        {
            "value" => CompareField.Value,
            "version" => CompareField.Version,
            "createRevision" => CompareField.CreateRevision,
            "modRevision" => CompareField.ModRevision,
            "exists" => CompareField.Exists,
            var f => throw Invalid($"{where}.field must be value, version, createRevision, modRevision or exists (got '{f}')"),
        };
        var op = String(e, "op", where) switch
        {
            "==" or "=" => CompareOp.Equal,
            "!=" => CompareOp.NotEqual,
            "<" => CompareOp.Less,
            ">" => CompareOp.Greater,
            var o => throw Invalid($"{where}.op must be ==, !=, < or > (got '{o}')"),
        };
        if (!e.TryGetProperty("value", out var value)) throw Invalid($"{where}.value is missing");
        switch (field)
        {
            case CompareField.Exists:
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw Invalid($"{where}.value must be true or false for 'exists'");
                if (op is not (CompareOp.Equal or CompareOp.NotEqual)) throw Invalid($"{where}: 'exists' compares only with == or !=");
                return new TxnCompare(target, field, op, value.GetBoolean() ? 1 : 0, default);
            case CompareField.Value:
                ReadOnlyMemory<byte> bytes = target.IsDocument
                    ? JsonBodies.Minify(Encoding.UTF8.GetBytes(value.GetRawText()))
                    : value.ValueKind == JsonValueKind.String ? Encoding.UTF8.GetBytes(value.GetString()!)
                    : throw Invalid($"{where}.value must be a string when comparing a key's value");
                return new TxnCompare(target, field, op, 0, bytes);
            default:
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var n) || n < 0)
                    throw Invalid($"{where}.value must be a non-negative integer");
                return new TxnCompare(target, field, op, n, default);
        }
    }

    private TxnOp Op(JsonElement e, string where)
    {
        RequireObject(e, where);
        var target = Target(e, where);
        var precondition = Precondition(e, where);
        var op = String(e, "op", where);
        switch (op)
        {
            case "get":
                return new TxnOp.Get(target);
            case "delete":
                if (precondition.Kind == PreconditionKind.MustNotExist) throw Invalid($"{where}: ifAbsent cannot apply to a delete");
                if (precondition.Kind == PreconditionKind.None) precondition = Store.Precondition.MustExist;
                return new TxnOp.Write(target.IsDocument
                    ? new DocDelete(target.Collection!, target.Key, precondition)
                    : new KvDelete(target.Key, precondition));
            case "put" when target.IsDocument:
                return new TxnOp.Write(new DocPut(target.Collection!, target.Key, Json(e, "document", where), precondition));
            case "patch" when target.IsDocument:
                if (precondition.Kind == PreconditionKind.MustNotExist) throw Invalid($"{where}: ifAbsent cannot apply to a patch");
                if (precondition.Kind == PreconditionKind.None) precondition = Store.Precondition.MustExist;
                return new TxnOp.Write(new DocMergePatch(target.Collection!, target.Key, Json(e, "patch", where), precondition));
            case "put":
                var value = String(e, "value", where);
                var bytes = Encoding.UTF8.GetBytes(value);
                if (bytes.Length > validate.Options.ValueBytesMax)
                    throw new ApiProblemException(ProblemKind.TooLarge, $"{where}.value is {bytes.Length} bytes; the limit is {validate.Options.ValueBytesMax}");
                long? expires = e.TryGetProperty("ttl", out var ttl) && ttl.ValueKind == JsonValueKind.String
                    ? nowUnixMs + (long)validate.Ttl(ttl.GetString()!).TotalMilliseconds
                    : null;
                return new TxnOp.Write(new KvPut(target.Key, bytes, expires, precondition));
            default:
                throw Invalid($"{where}.op must be get, put, patch (documents) or delete (got '{op}')");
        }
    }

    private Target Target(JsonElement e, string where)
    {
        var hasCollection = e.TryGetProperty("collection", out var c);
        var hasKey = e.TryGetProperty("key", out var k);
        if (hasCollection == hasKey)
            throw Invalid($"{where} must name either a document (collection and id) or a raw key (key)");
        if (hasKey)
        {
            if (k.ValueKind != JsonValueKind.String) throw Invalid($"{where}.key must be a string");
            return Store.Target.RawKey(validate.WritableKey(k.GetString()));
        }
        if (c.ValueKind != JsonValueKind.String) throw Invalid($"{where}.collection must be a string");
        var collection = RequestValidation.Collection(c.GetString());
        return Store.Target.Doc(collection, validate.Key(String(e, "id", where)));
    }

    private static Precondition Precondition(JsonElement e, string where)
    {
        var hasRevision = e.TryGetProperty("ifRevision", out var rev);
        var absent = e.TryGetProperty("ifAbsent", out var a) && a.ValueKind == JsonValueKind.True;
        if (hasRevision && absent) throw Invalid($"{where}: give ifRevision or ifAbsent, not both");
        if (absent) return Store.Precondition.MustNotExist;
        if (!hasRevision) return Store.Precondition.None;
        if (rev.ValueKind != JsonValueKind.Number || !rev.TryGetInt64(out var r) || r <= 0)
            throw Invalid($"{where}.ifRevision must be a positive integer");
        return Store.Precondition.RevisionIs(r);
    }

    private byte[] Json(JsonElement e, string name, string where)
    {
        if (!e.TryGetProperty(name, out var value)) throw Invalid($"{where}.{name} is missing");
        if (value.ValueKind != JsonValueKind.Object) throw Invalid($"{where}.{name} must be a JSON object");
        var bytes = JsonBodies.Minify(Encoding.UTF8.GetBytes(value.GetRawText()));
        if (bytes.Length > validate.Options.ValueBytesMax)
            throw new ApiProblemException(ProblemKind.TooLarge, $"{where}.{name} is {bytes.Length} bytes; the limit is {validate.Options.ValueBytesMax}");
        return bytes;
    }

    private static string String(JsonElement e, string name, string where) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw Invalid($"{where}.{name} must be a string");

    private static void RequireObject(JsonElement e, string where)
    {
        if (e.ValueKind != JsonValueKind.Object) throw Invalid($"{where} must be an object");
    }

    private static ApiProblemException Invalid(string detail) => new(ProblemKind.InvalidTransaction, detail);
}

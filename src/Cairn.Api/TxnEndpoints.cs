using System.Text.Json;
using Cairn.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Api;

/// <summary>
/// <c>POST /v1/_txn</c>: etcd-style If/Then/Else over documents and raw keys, applied atomically.
/// <code>
/// { "compare": [ { "collection": "users", "id": "42", "field": "modRevision", "op": "==", "value": 7 } ],
///   "success": [ { "op": "put", "collection": "users", "id": "42", "document": { ... } } ],
///   "failure": [ { "op": "get", "collection": "users", "id": "42" } ] }
/// </code>
/// </summary>
internal static class TxnEndpoints
{
    public static void Map(IEndpointRouteBuilder v1) =>
        v1.MapPost("/_txn", Post).WithName("Transaction").Produces<TxnResponse>().ProducesProblem(400).ProducesProblem(409).ProducesProblem(413);

    private static async Task<IResult> Post(HttpContext context, Writes writes, RequestValidation validate, TimeProvider time)
    {
        RequestValidation.RequireJson(context.Request);
        var body = await RequestValidation.ReadBodyAsync(context.Request, validate.Options.RequestBodyBytesMax, context.RequestAborted);
        JsonBodies.Validate(body, validate.Options.JsonDepthMax, requireObject: true);
        var txn = new TxnParser(validate, time.GetUtcNow().ToUnixTimeMilliseconds()).Parse(body);
        var result = await writes.ProposeAsync(context, txn);
        if (result.Code != ResultCode.Ok) return Writes.Problem(result, "the transaction");
        var txnResult = result.Txn!;
        var branch = txnResult.Succeeded ? txn.Success : txn.Failure;
        var items = new List<TxnOpResult>(branch.Count);
        for (var i = 0; i < branch.Count; i++) items.Add(Describe(branch[i], txnResult.Results[i]));
        ReadHeaders.Revision(context.Response, result.Revision);
        return TypedResults.Json(new TxnResponse(txnResult.Succeeded, result.Revision, items), ApiJsonContext.Default.TxnResponse);
    }

    private static TxnOpResult Describe(TxnOp op, CommandResult r)
    {
        var item = r.Current;
        var meta = item?.Meta;
        return op switch
        {
            TxnOp.Get get when item?.Document is { } d => new TxnOpResult("get", true, meta!.Value.ModRevision, meta.Value.Version,
                meta.Value.CreateRevision, d.Collection, d.Id, Document: new RawJson(d.Json)),
            TxnOp.Get get when item?.Key is { } k => Value(k),
            TxnOp.Get get => new TxnOpResult("get", false, Collection: get.Target.Collection, Id: get.Target.IsDocument ? get.Target.Key : null,
                Key: get.Target.IsDocument ? null : get.Target.Key),
            TxnOp.Write { Command: DocPut p } => new TxnOpResult("put", null, meta?.ModRevision, meta?.Version, meta?.CreateRevision, p.Collection, p.Id),
            TxnOp.Write { Command: DocMergePatch p } => new TxnOpResult("patch", null, meta?.ModRevision, meta?.Version, meta?.CreateRevision, p.Collection, p.Id),
            TxnOp.Write { Command: DocDelete p } => new TxnOpResult("delete", null, r.Revision, Collection: p.Collection, Id: p.Id),
            TxnOp.Write { Command: KvPut p } => new TxnOpResult("put", null, meta?.ModRevision, meta?.Version, meta?.CreateRevision, Key: p.Key, ExpiresAt: p.ExpiresAtUnixMs),
            TxnOp.Write { Command: KvDelete p } => new TxnOpResult("delete", null, r.Revision, Key: p.Key),
            _ => throw new InvalidOperationException("unknown txn operation"),
        };

        static TxnOpResult Value(KvEntry k)
        {
            var (text, b64) = KvEndpoints.Encode(k.Value.Span);
            return new TxnOpResult("get", true, k.Meta.ModRevision, k.Meta.Version, k.Meta.CreateRevision, Key: k.Key,
                Value: text, ValueBase64: b64, ExpiresAt: k.ExpiresAtUnixMs);
        }
    }
}

using System.Text.Unicode;
using Cairn.Node;
using Cairn.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Api;

/// <summary>Raw keys with optional TTL (a cache): <c>/v1/_kv/{key}</c> and <c>GET /v1/_kv?prefix=</c>.</summary>
internal static class KvEndpoints
{
    public static void Map(IEndpointRouteBuilder v1)
    {
        v1.MapGet("/_kv", List).WithName("ListKeys").Produces<KvListResponse>();
        v1.MapGet("/_kv/{**key}", Get).WithName("GetKey")
            .Produces(200, contentType: "application/octet-stream").ProducesProblem(404);
        v1.MapPut("/_kv/{**key}", Put).WithName("PutKey").Produces<KvWriteResponse>().Produces<KvWriteResponse>(201).ProducesProblem(413);
        v1.MapDelete("/_kv/{**key}", Delete).WithName("DeleteKey").Produces<DeleteResponse>().ProducesProblem(404);
    }

    private static async Task<IResult> List(HttpContext context, IKvService kv, RequestValidation validate, TimeProvider time)
    {
        var query = context.Request.Query;
        var prefix = query["prefix"].ToString();
        if (prefix.Length > 0) validate.Key(prefix, "prefix");
        var after = query["after"].ToString() is { Length: > 0 } a ? validate.Key(a, "after cursor") : null;
        var limit = validate.Limit(context.Request);
        var (level, min) = RequestValidation.Consistency(context.Request);
        var read = await kv.ReadAsync(level, min, context.RequestAborted);
        ReadHeaders.Apply(context.Response, read);
        var keys = read.View.ListKeys(prefix, after, limit + 1, time.GetUtcNow().ToUnixTimeMilliseconds());
        var page = keys.Take(limit).Select(Item).ToList();
        var next = keys.Count > limit ? page[^1].Key : null;
        return TypedResults.Json(new KvListResponse(read.View.Revision, page, next), ApiJsonContext.Default.KvListResponse);
    }

    internal static KvItem Item(KvEntry e)
    {
        var (text, b64) = Encode(e.Value.Span);
        return new KvItem(e.Key, text, b64, e.Meta.ModRevision, e.Meta.Version, e.Meta.CreateRevision, e.ExpiresAtUnixMs);
    }

    internal static (string? Text, string? Base64) Encode(ReadOnlySpan<byte> value) =>
        Utf8.IsValid(value) ? (System.Text.Encoding.UTF8.GetString(value), null) : (null, Convert.ToBase64String(value));

    private static async Task Get(HttpContext context, string key, IKvService kv, RequestValidation validate, TimeProvider time)
    {
        validate.Key(key, "key");
        var (level, min) = RequestValidation.Consistency(context.Request);
        var read = await kv.ReadAsync(level, min, context.RequestAborted);
        var response = context.Response;
        ReadHeaders.Apply(response, read);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (!read.View.TryGetKey(key, now, out var entry))
        {
            await Problems.Result(ProblemKind.NotFound, $"key {key} does not exist").ExecuteAsync(context);
            return;
        }
        response.Headers.ETag = Etags.Format(entry.Meta.ModRevision);
        response.Headers["X-Cairn-Version"] = entry.Meta.Version.ToString();
        if (entry.ExpiresAtUnixMs is { } expires)
        {
            response.Headers["X-Cairn-Expires-At"] = expires.ToString();
            response.Headers["X-Cairn-Ttl-Ms"] = Math.Max(0, expires - now).ToString();
        }
        if (Etags.NoneMatchHits(context.Request.Headers.IfNoneMatch, entry.Meta.ModRevision))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        response.ContentType = "application/octet-stream";
        response.ContentLength = entry.Value.Length;
        await response.Body.WriteAsync(entry.Value, context.RequestAborted);
    }

    private static async Task<IResult> Put(HttpContext context, string key, Writes writes, RequestValidation validate, TimeProvider time)
    {
        validate.WritableKey(key);
        var ttl = context.Request.Query["ttl"].ToString() is { Length: > 0 } t ? validate.Ttl(t) : (TimeSpan?)null;
        var precondition = Etags.ParsePrecondition(context.Request.Headers.IfMatch, context.Request.Headers.IfNoneMatch);
        // The request body limit applies here too: a value limit set above it must not let larger bodies through.
        var value = await RequestValidation.ReadBodyAsync(context.Request, Math.Min(validate.Options.ValueBytesMax, validate.Options.RequestBodyBytesMax), context.RequestAborted);
        long? expiresAt = ttl is { } span ? time.GetUtcNow().ToUnixTimeMilliseconds() + (long)span.TotalMilliseconds : null;
        var result = await writes.ProposeAsync(context, new KvPut(key, value, expiresAt, precondition));
        if (!result.IsOk) return Writes.Problem(result, $"key {key}");
        var meta = result.Current!.Meta;
        ReadHeaders.Revision(context.Response, result.Revision);
        context.Response.Headers.ETag = Etags.Format(meta.ModRevision);
        var body = new KvWriteResponse(key, meta.ModRevision, meta.Version, meta.CreateRevision, expiresAt);
        return TypedResults.Json(body, ApiJsonContext.Default.KvWriteResponse, statusCode: result.Previous is null ? 201 : 200);
    }

    private static async Task<IResult> Delete(HttpContext context, string key, Writes writes, RequestValidation validate)
    {
        validate.WritableKey(key);
        var precondition = Etags.ParsePrecondition(context.Request.Headers.IfMatch, context.Request.Headers.IfNoneMatch);
        if (precondition.Kind == PreconditionKind.MustNotExist)
            throw new ApiProblemException(ProblemKind.InvalidHeader, "If-None-Match: * cannot apply to a delete");
        if (precondition.Kind == PreconditionKind.None) precondition = Precondition.MustExist;
        var result = await writes.ProposeAsync(context, new KvDelete(key, precondition));
        if (!result.IsOk) return Writes.Problem(result, $"key {key}");
        ReadHeaders.Revision(context.Response, result.Revision);
        return TypedResults.Json(new DeleteResponse(result.Revision, result.Previous?.ModRevision ?? 0), ApiJsonContext.Default.DeleteResponse);
    }
}

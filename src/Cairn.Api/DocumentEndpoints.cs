using Cairn.Node;
using Cairn.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Api;

/// <summary>JSON documents in collections: <c>/v1/{collection}</c> and <c>/v1/{collection}/{id}</c>.</summary>
internal static class DocumentEndpoints
{
    public static void Map(IEndpointRouteBuilder v1)
    {
        v1.MapGet("/_collections", ListCollections).WithName("ListCollections")
            .Produces<CollectionsResponse>();
        v1.MapGet("/{collection}", List).WithName("ListDocuments")
            .Produces<DocumentListResponse>().ProducesProblem(400);
        v1.MapPost("/{collection}", Create).WithName("CreateDocument").Produces<WriteResponse>(201).ProducesProblem(400).ProducesProblem(413);
        v1.MapGet("/{collection}/{id}", Get).WithName("GetDocument")
            .Produces(200, contentType: "application/json").ProducesProblem(404);
        v1.MapPut("/{collection}/{id}", Put).WithName("PutDocument").Produces<WriteResponse>().Produces<WriteResponse>(201).ProducesProblem(412);
        v1.MapPatch("/{collection}/{id}", Patch).WithName("PatchDocument").Produces<WriteResponse>().ProducesProblem(404).ProducesProblem(412);
        v1.MapDelete("/{collection}/{id}", Delete).WithName("DeleteDocument")
            .Produces<DeleteResponse>().ProducesProblem(404).ProducesProblem(412);
    }

    private static async Task<IResult> ListCollections(HttpContext context, IKvService kv, RequestValidation validate)
    {
        var (level, min) = RequestValidation.Consistency(context.Request);
        var read = await kv.ReadAsync(level, min, context.RequestAborted);
        ReadHeaders.Apply(context.Response, read);
        var items = read.View.ListCollections().Select(c => new CollectionInfoDto(c.Name, c.Count)).ToList();
        return TypedResults.Json(new CollectionsResponse(read.View.Revision, items), ApiJsonContext.Default.CollectionsResponse);
    }

    private static async Task<IResult> List(HttpContext context, string collection, IKvService kv, RequestValidation validate)
    {
        RequestValidation.Collection(collection);
        var limit = validate.Limit(context.Request);
        var after = context.Request.Query["after"].ToString() is { Length: > 0 } a ? validate.Key(a, "after cursor") : null;
        var prefix = context.Request.Query["prefix"].ToString();
        if (prefix.Length > 0) validate.Key(prefix, "prefix");
        var (level, min) = RequestValidation.Consistency(context.Request);
        var read = await kv.ReadAsync(level, min, context.RequestAborted);
        ReadHeaders.Apply(context.Response, read);
        var docs = read.View.ListDocuments(collection, prefix, after, limit + 1);
        var page = docs.Take(limit)
            .Select(d => new DocumentItem(d.Id, d.Meta.ModRevision, d.Meta.Version, d.Meta.CreateRevision, new RawJson(d.Json)))
            .ToList();
        var next = docs.Count > limit ? page[^1].Id : null;
        return TypedResults.Json(new DocumentListResponse(collection, read.View.Revision, page, next), ApiJsonContext.Default.DocumentListResponse);
    }

    private static async Task Get(HttpContext context, string collection, string id, IKvService kv, RequestValidation validate)
    {
        RequestValidation.Collection(collection);
        validate.Key(id);
        var (level, min) = RequestValidation.Consistency(context.Request);
        var read = await kv.ReadAsync(level, min, context.RequestAborted);
        var response = context.Response;
        ReadHeaders.Apply(response, read);
        if (!read.View.TryGetDocument(collection, id, out var doc))
        {
            await Problems.Result(ProblemKind.NotFound, $"document {collection}/{id} does not exist").ExecuteAsync(context);
            return;
        }
        response.Headers.ETag = Etags.Format(doc.Meta.ModRevision);
        response.Headers["X-Cairn-Version"] = doc.Meta.Version.ToString();
        response.Headers["X-Cairn-Create-Revision"] = doc.Meta.CreateRevision.ToString();
        if (Etags.NoneMatchHits(context.Request.Headers.IfNoneMatch, doc.Meta.ModRevision))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        response.ContentType = "application/json";
        response.ContentLength = doc.Json.Length;
        await response.Body.WriteAsync(doc.Json, context.RequestAborted);
    }

    private static async Task<IResult> Create(HttpContext context, string collection, Writes writes, RequestValidation validate, SortableIds ids)
    {
        RequestValidation.Collection(collection);
        var json = await ReadDocumentAsync(context, validate);
        var id = ids.Next();
        var result = await writes.ProposeAsync(context, new DocPut(collection, id, json, Precondition.MustNotExist));
        if (!result.IsOk) return Writes.Problem(result, $"document {collection}/{id}");
        var written = Written(context, result, collection, id);
        return TypedResults.Json(written, ApiJsonContext.Default.WriteResponse, statusCode: 201);
    }

    private static async Task<IResult> Put(HttpContext context, string collection, string id, Writes writes, RequestValidation validate)
    {
        RequestValidation.Collection(collection);
        validate.Key(id);
        var precondition = Etags.ParsePrecondition(context.Request.Headers.IfMatch, context.Request.Headers.IfNoneMatch);
        var json = await ReadDocumentAsync(context, validate);
        var result = await writes.ProposeAsync(context, new DocPut(collection, id, json, precondition));
        if (!result.IsOk) return Writes.Problem(result, $"document {collection}/{id}");
        var written = Written(context, result, collection, id);
        return TypedResults.Json(written, ApiJsonContext.Default.WriteResponse, statusCode: result.Previous is null ? 201 : 200);
    }

    private static async Task<IResult> Patch(HttpContext context, string collection, string id, Writes writes, RequestValidation validate)
    {
        RequestValidation.Collection(collection);
        validate.Key(id);
        var precondition = Etags.ParsePrecondition(context.Request.Headers.IfMatch, context.Request.Headers.IfNoneMatch);
        if (precondition.Kind == PreconditionKind.MustNotExist)
            throw new ApiProblemException(ProblemKind.InvalidHeader, "PATCH changes an existing document; If-None-Match: * cannot apply");
        if (precondition.Kind == PreconditionKind.None) precondition = Precondition.MustExist;
        RequestValidation.RequireJson(context.Request, allowMergePatch: true);
        var body = await RequestValidation.ReadBodyAsync(context.Request, validate.Options.RequestBodyBytesMax, context.RequestAborted);
        var patch = JsonBodies.Document(body, validate.Options.JsonDepthMax, validate.Options.ValueBytesMax, requireObject: true);
        var result = await writes.ProposeAsync(context, new DocMergePatch(collection, id, patch, precondition));
        if (!result.IsOk) return Writes.Problem(result, $"document {collection}/{id}");
        return TypedResults.Json(Written(context, result, collection, id), ApiJsonContext.Default.WriteResponse);
    }

    private static async Task<IResult> Delete(HttpContext context, string collection, string id, Writes writes, RequestValidation validate)
    {
        RequestValidation.Collection(collection);
        validate.Key(id);
        var precondition = Etags.ParsePrecondition(context.Request.Headers.IfMatch, context.Request.Headers.IfNoneMatch);
        if (precondition.Kind == PreconditionKind.MustNotExist)
            throw new ApiProblemException(ProblemKind.InvalidHeader, "If-None-Match: * cannot apply to a delete");
        if (precondition.Kind == PreconditionKind.None) precondition = Precondition.MustExist;
        var result = await writes.ProposeAsync(context, new DocDelete(collection, id, precondition));
        if (!result.IsOk) return Writes.Problem(result, $"document {collection}/{id}");
        ReadHeaders.Revision(context.Response, result.Revision);
        return TypedResults.Json(new DeleteResponse(result.Revision, result.Previous?.ModRevision ?? 0), ApiJsonContext.Default.DeleteResponse);
    }

    private static async Task<byte[]> ReadDocumentAsync(HttpContext context, RequestValidation validate)
    {
        RequestValidation.RequireJson(context.Request);
        var body = await RequestValidation.ReadBodyAsync(context.Request, validate.Options.RequestBodyBytesMax, context.RequestAborted);
        return JsonBodies.Document(body, validate.Options.JsonDepthMax, validate.Options.ValueBytesMax);
    }

    private static WriteResponse Written(HttpContext context, CommandResult result, string collection, string id)
    {
        var meta = result.Current!.Meta;
        // A retried request (same X-Cairn-Request-Id) is answered with the first attempt's result, whose
        // generated id differs from the one this attempt drew: the stored document is the truth.
        if (result.Current.Document is { } stored) (collection, id) = (stored.Collection, stored.Id);
        var response = context.Response;
        ReadHeaders.Revision(response, result.Revision);
        response.Headers.ETag = Etags.Format(meta.ModRevision);
        if (result.Previous is null) response.Headers.Location = $"/v1/{collection}/{Uri.EscapeDataString(id)}";
        return new WriteResponse(collection, id, meta.ModRevision, meta.Version, meta.CreateRevision);
    }
}

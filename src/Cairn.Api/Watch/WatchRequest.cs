using System.Globalization;
using Cairn.Node;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Cairn.Api.Watch;

/// <summary>The query parameters of <c>GET /v1/_watch</c>, declared for the OpenAPI document; parsed by <see cref="WatchRequest.Parse"/>.</summary>
public sealed class WatchQuery
{
    [FromQuery(Name = "collection")] public string? Collection { get; set; }
    [FromQuery(Name = "id")] public string? Id { get; set; }
    [FromQuery(Name = "key")] public string? Key { get; set; }
    [FromQuery(Name = "prefix")] public string? Prefix { get; set; }
    [FromQuery(Name = "fromRevision")] public string? FromRevision { get; set; }
    [FromQuery(Name = "values")] public string? Values { get; set; }
    [FromQuery(Name = "consistency")] public string? Consistency { get; set; }
    [FromQuery(Name = "minRevision")] public string? MinRevision { get; set; }
}

/// <summary>A validated watch request: what to watch, where to start, and whether values are sent.</summary>
/// <param name="FromRevision">Resume after this revision (<c>Last-Event-ID</c> wins over <c>fromRevision</c>); null: start at the node's revision.</param>
/// <param name="Consistency">When set, the start waits for a read at this level (its view's revision is the start when no resume point is given).</param>
internal sealed record WatchRequest(WatchFilter Filter, long? FromRevision, bool Values, ReadConsistency? Consistency, long MinRevision)
{
    private static readonly string[] Parameters = ["collection", "id", "key", "prefix", "fromRevision", "values", "consistency", "minRevision"];

    public static WatchRequest Parse(HttpRequest request, RequestValidation validate)
    {
        foreach (var (name, given) in request.Query)
        {
            if (!Parameters.Contains(name, StringComparer.OrdinalIgnoreCase))
                throw Invalid($"unknown parameter {RequestValidation.Quote(name)}; a watch takes {string.Join(", ", Parameters)}");
            if (given.Count > 1) throw Invalid($"give {name} once");
        }
        var query = request.Query;
        var filter = ParseFilter(Value(query, "collection"), Value(query, "id"), Value(query, "key"), Value(query, "prefix"), validate);
        var from = Revision(Value(query, "fromRevision"), "fromRevision");
        if (request.Headers["Last-Event-ID"] is { Count: > 0 } lastEventId)
        {
            if (lastEventId.Count > 1 || !TryRevision(lastEventId[0], out var resume))
                throw new ApiProblemException(ProblemKind.InvalidHeader, "Last-Event-ID must be one revision (a non-negative integer)");
            from = resume;
        }
        var values = Value(query, "values") switch
        {
            null or "false" or "0" => false,
            "" or "true" or "1" => true,
            var other => throw Invalid($"values must be true or false (got {RequestValidation.Quote(other)})"),
        };
        ReadConsistency? level = null;
        long min = 0;
        if (Value(query, "consistency") is not null || Value(query, "minRevision") is not null)
            (level, min) = RequestValidation.Consistency(request);
        return new WatchRequest(filter, from, values, level, min);
    }

    private static WatchFilter ParseFilter(string? collection, string? id, string? key, string? prefix, RequestValidation validate)
    {
        if (key is not null)
        {
            if (collection is not null || id is not null || prefix is not null)
                throw Invalid("key watches one raw key; it does not combine with collection, id or prefix");
            return WatchFilter.ForKey(validate.Key(key, "key"));
        }
        if (prefix is not null)
        {
            if (collection is not null || id is not null)
                throw Invalid("prefix selects raw keys; it does not combine with collection or id");
            if (prefix.Length > 0) validate.Key(prefix, "prefix");
            return WatchFilter.ForPrefix(prefix);
        }
        if (id is not null)
        {
            if (collection is null) throw Invalid("id needs the document's collection");
            return WatchFilter.ForDocument(RequestValidation.Collection(collection), validate.Key(id));
        }
        return collection is null ? WatchFilter.All : WatchFilter.ForCollection(RequestValidation.Collection(collection));
    }

    private static long? Revision(string? raw, string name) =>
        raw is null ? null : TryRevision(raw, out var r) ? r : throw Invalid($"{name} must be a non-negative integer (got {RequestValidation.Quote(raw)})");

    private static bool TryRevision(string? raw, out long revision) =>
        long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out revision);

    /// <summary>The parameter's value; "" when it is present without one; null when absent.</summary>
    private static string? Value(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var v) ? (v.Count > 0 ? v[0] ?? "" : "") : null;

    private static ApiProblemException Invalid(string detail) => new(ProblemKind.InvalidParameter, detail);
}

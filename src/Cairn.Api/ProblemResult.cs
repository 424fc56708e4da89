using System.Text.Json;
using Cairn.Node;
using Microsoft.AspNetCore.Http;

namespace Cairn.Api;

/// <summary>An application/problem+json answer with the stable type of its kind.</summary>
public sealed class ProblemResult(ProblemKind kind, string detail, long? revision, long? currentRevision) : IResult
{
    public ProblemKind Kind { get; } = kind;
    public string Detail { get; } = detail;
    public UnavailableReason? Reason { get; init; }
    public bool? MayHaveApplied { get; init; }
    public TimeSpan? RetryAfter { get; init; }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var (status, type, title) = Problems.Describe(Kind);
        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = "application/problem+json";
        if (revision is { } r) response.Headers["X-Cairn-Revision"] = r.ToString();
        if (currentRevision is { } c) response.Headers.ETag = Etags.Format(c);
        if (RetryAfter is { } after) response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)).ToString();

        using var buffer = new PooledBufferWriter(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", Problems.TypePrefix + type);
            w.WriteString("title", title);
            w.WriteNumber("status", status);
            w.WriteString("detail", Detail);
            w.WriteString("instance", httpContext.Request.Path.Value);
            if (currentRevision is { } cur) w.WriteNumber("currentRevision", cur);
            if (Reason is { } reason) w.WriteString("reason", JsonNamingPolicy.KebabCaseLower.ConvertName(reason.ToString()));
            if (MayHaveApplied is { } may) w.WriteBoolean("mayHaveApplied", may);
            if (Reason is not null) w.WriteBoolean("retryable", true);
            w.WriteEndObject();
        }
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, httpContext.RequestAborted);
    }
}

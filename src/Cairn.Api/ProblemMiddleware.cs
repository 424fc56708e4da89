using Cairn.Node;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cairn.Api;

/// <summary>
/// The single place where failures become answers: validation problems, unavailability (503 with
/// Retry-After), bodies refused by Kestrel, and unmatched routes/methods. Anything else is a bug:
/// logged, answered 500 with no detail.
/// </summary>
internal sealed partial class ProblemMiddleware(RequestDelegate next, ILogger<ProblemMiddleware> log)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
            if (!context.Response.HasStarted && context.Response.ContentType is null
                && context.Response.StatusCode is StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed)
            {
                var kind = context.Response.StatusCode == StatusCodes.Status404NotFound ? ProblemKind.NotFound : ProblemKind.MethodNotAllowed;
                var detail = kind == ProblemKind.NotFound
                    ? $"there is no route {context.Request.Path}; the API lives under /v1"
                    : $"{context.Request.Method} is not allowed on {context.Request.Path}";
                await Problems.Result(kind, detail).ExecuteAsync(context);
            }
        }
        catch (ApiProblemException e) when (!context.Response.HasStarted)
        {
            if (e.Kind == ProblemKind.TooLarge) await DrainBodyAsync(context);
            await Problems.Result(e.Kind, e.Message).ExecuteAsync(context);
        }
        catch (ServiceUnavailableException e) when (!context.Response.HasStarted)
        {
            await Problems.Unavailable(e).ExecuteAsync(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            var kind = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? ProblemKind.TooLarge : ProblemKind.InvalidParameter;
            await Problems.Result(kind, e.Message).ExecuteAsync(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is listening for an answer.
        }
        catch (Exception e) when (e is not InvariantViolationException && !context.Response.HasStarted)
        {
            LogUnhandled(log, e, context.Request.Method, context.Request.Path);
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        }
    }

    /// <summary>
    /// Reads and discards what is left of a refused body (Kestrel's limit bounds it, and so does a short
    /// deadline), so that a client still sending receives the 413 instead of a reset connection.
    /// </summary>
    private static async Task DrainBodyAsync(HttpContext context)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(DrainTimeMax);
        try
        {
            var reader = context.Request.BodyReader;
            while (true)
            {
                var read = await reader.ReadAsync(deadline.Token);
                reader.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted || read.IsCanceled) return;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or BadHttpRequestException or IOException)
        {
            // Over Kestrel's limit or too slow: answer anyway; Kestrel closes the connection after it.
        }
    }

    private static readonly TimeSpan DrainTimeMax = TimeSpan.FromSeconds(5);

    [LoggerMessage(Level = LogLevel.Error, Message = "unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception error, string method, PathString path);
}

using Cairn.Node;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Api;

/// <summary><c>/healthz</c> (the process answers) and <c>/readyz</c> (the node can serve the default read level).</summary>
internal static class OperationsEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", (IKvService kv) =>
        {
            var s = kv.Status;
            return TypedResults.Json(new HealthResponse("ok", s.NodeId, s.Role, s.AppliedIndex), ApiJsonContext.Default.HealthResponse);
        }).WithName("Health");

        app.MapGet("/readyz", (IKvService kv) =>
        {
            var s = kv.Status;
            var body = new HealthResponse(s.Ready ? "ready" : s.DataLost ? "data-lost" : "not-ready", s.NodeId, s.Role, s.AppliedIndex, s.NotReadyReason);
            return TypedResults.Json(body, ApiJsonContext.Default.HealthResponse, statusCode: s.Ready ? 200 : 503);
        }).WithName("Ready");
    }
}

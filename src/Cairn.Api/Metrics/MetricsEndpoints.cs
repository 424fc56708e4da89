using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Api.Metrics;

/// <summary><c>GET /metrics</c> in Prometheus text format, and the middleware that counts HTTP requests by route.</summary>
internal static class MetricsEndpoints
{
    public static void UseRequestMetrics(WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<CairnMetrics>();
        _ = app.Services.GetRequiredService<PrometheusExporter>(); // listening from the start
        app.Use(async (context, next) =>
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                var route = new KeyValuePair<string, object?>("route", (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched");
                metrics.HttpSeconds.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, route);
                metrics.HttpRequests.Add(1, route, new KeyValuePair<string, object?>("method", context.Request.Method),
                    new KeyValuePair<string, object?>("status", context.Response.StatusCode));
            }
        });
    }

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/metrics", (PrometheusExporter exporter) => TypedResults.Text(exporter.Render(), "text/plain; version=0.0.4; charset=utf-8"))
            .WithName("Metrics").ExcludeFromDescription();
}

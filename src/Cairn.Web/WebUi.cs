using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Cairn.Web;

/// <summary>
/// Serves the web data manager: <c>GET /</c> is the page, <c>GET /ui/...</c> its modules, styles and icon. Every answer
/// carries a strong ETag (revalidated on each load: <c>Cache-Control: no-cache</c>, so a new server version is picked up
/// at once and an unchanged file costs a 304) and a Content-Security-Policy that allows only this origin's own files and
/// API: no inline script or style, no other host, no framing.
/// </summary>
public static class WebUi
{
    /// <summary>The policy on every UI answer. <c>connect-src 'self'</c> covers fetch and the EventSource of the watch feed.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public const string AssetPrefix = "/ui";

    public static IServiceCollection AddWebUi(this IServiceCollection services) => services.AddSingleton<UiAssets>();

    public static void MapWebUi(this IEndpointRouteBuilder app)
    {
        string[] methods = [HttpMethods.Get, HttpMethods.Head];
        app.MapMethods("/", methods, (HttpContext context, UiAssets assets) => Serve(context, assets, "/"))
            .WithName("WebUi").ExcludeFromDescription();
        app.MapMethods(AssetPrefix + "/{**path}", methods, (HttpContext context, UiAssets assets, string path) =>
            Serve(context, assets, AssetPrefix + "/" + path)).WithName("WebUiAsset").ExcludeFromDescription();
    }

    private static Task Serve(HttpContext context, UiAssets assets, string path)
    {
        var response = context.Response;
        if (!assets.TryGet(path, out var asset))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        var headers = response.Headers;
        headers.ETag = asset.ETag;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        if (Matches(context.Request.Headers.IfNoneMatch, asset.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(asset.Content, context.RequestAborted).AsTask();
    }

    private static bool Matches(StringValues ifNoneMatch, string etag)
    {
        if (StringValues.IsNullOrEmpty(ifNoneMatch)) return false;
        if (!EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags)) return false;
        return tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Tag.Equals(etag, StringComparison.Ordinal));
    }
}

using Cairn.Node;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Api;

/// <summary>
/// <c>GET /v1/_backup</c>: the whole store as one consistent snapshot (the store's own snapshot format) at the
/// revision of a read at the requested level (linearizable by default). The answer names the revision
/// (<c>X-Cairn-Revision</c>) and the state hash at it (<c>X-Cairn-State-Hash</c>), so a restore can prove it holds the
/// same state. The snapshot is written to a temporary file first (the view is immutable, so writes go on meanwhile)
/// and then streamed, so its size is bounded by the disk, not the memory.
/// </summary>
internal static class BackupEndpoints
{
    public const string StateHashHeader = "X-Cairn-State-Hash";

    public static void Map(IEndpointRouteBuilder v1) =>
        v1.MapGet("/_backup", Get).WithName("Backup").Produces(200, contentType: "application/octet-stream").ProducesProblem(503);

    private static async Task Get(HttpContext context, IKvService kv)
    {
        var (level, min) = RequestValidation.Consistency(context.Request);
        var read = await kv.ReadAsync(level, min, context.RequestAborted);
        var view = read.View;
        var path = Path.GetTempFileName();
        await using var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        var hash = Convert.ToHexStringLower(await Task.Run(() => view.WriteSnapshot(file), context.RequestAborted));
        file.Position = 0;
        var response = context.Response;
        response.ContentType = "application/octet-stream";
        response.ContentLength = file.Length;
        response.Headers["X-Cairn-Revision"] = view.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers[StateHashHeader] = hash;
        response.Headers.ContentDisposition = $"attachment; filename=\"cairn-{view.Revision}.snapshot\"";
        await file.CopyToAsync(response.Body, context.RequestAborted);
    }
}

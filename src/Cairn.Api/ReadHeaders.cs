using Cairn.Node;
using Microsoft.AspNetCore.Http;

namespace Cairn.Api;

internal static class ReadHeaders
{
    public static void Apply(HttpResponse response, ReadResult read)
    {
        response.Headers["X-Cairn-Revision"] = read.View.Revision.ToString();
        if (read.IsStale) response.Headers["X-Cairn-Stale"] = "true";
    }

    public static void Revision(HttpResponse response, long revision) =>
        response.Headers["X-Cairn-Revision"] = revision.ToString();
}

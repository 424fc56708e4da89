using System.Net.WebSockets;
using Cairn.Node;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Net.Http.Headers;

namespace Cairn.Api.Watch;

/// <summary>
/// <c>GET /v1/_watch</c>: the change feed of this node, as a WebSocket (upgrade) or Server-Sent Events
/// (<c>Accept: text/event-stream</c>). Everything is validated, the start revision resolved and the watcher slot
/// taken before the response starts, so every refusal is a problem+json answer.
/// </summary>
internal static class WatchEndpoint
{
    /// <summary>How long a closing handshake may take before the connection is dropped.</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    public static void Map(IEndpointRouteBuilder v1)
    {
        v1.MapGet("/_watch", WatchAsync).WithName("Watch")
            .WithSummary("Change feed: a WebSocket upgrade, or Server-Sent Events with Accept: text/event-stream")
            .WithDescription("Filters: collection, collection+id, key, or prefix (raw keys). fromRevision (or Last-Event-ID) resumes " +
                "after that revision; values=true includes values; consistency=linearizable starts no older than a linearizable read. " +
                "Messages are JSON objects: start, put|delete|expire, progress, overflow, snapshot-begin, snapshot-end (see Cairn.Api DESIGN.md).")
            .Produces(200, contentType: "text/event-stream").Produces(101)
            .ProducesProblem(400).ProducesProblem(503);
    }

    private static async Task WatchAsync(HttpContext context, [AsParameters] WatchQuery query, ChangeFeed feed, IKvService kv,
        RequestValidation validate, IHostApplicationLifetime lifetime)
    {
        _ = query; // declared for the OpenAPI document; parsed from the raw query to catch repeats and unknown names
        var request = WatchRequest.Parse(context.Request, validate);
        // The feed reads the node's own store: with the data lost (or not yet recovered) it would stream an empty one.
        if (kv.Status is { DataLost: true } lost) throw new ServiceUnavailableException(UnavailableReason.DataLost, false, lost.NotReadyReason ?? "the data is lost");
        var webSocket = context.WebSockets.IsWebSocketRequest;
        if (!webSocket && !AcceptsEventStream(context.Request))
        {
            throw new ApiProblemException(ProblemKind.InvalidHeader,
                "a watch is a WebSocket upgrade or an event stream: send Accept: text/event-stream");
        }
        var start = await StartRevisionAsync(request, kv, feed, context.RequestAborted);
        var watcher = feed.Register(request.Filter, context.Abort);
        // A stalled watcher is bounded by WatchOptions.SendTimeoutMs (one named limit), not by Kestrel's data-rate guess.
        if (context.Features.Get<IHttpMinResponseDataRateFeature>() is { } rate) rate.MinDataRate = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        try
        {
            if (webSocket) await RunWebSocketAsync(context, feed, watcher, request, start, kv.Status.NodeId, stop, lifetime.ApplicationStopping);
            else await RunEventStreamAsync(context, feed, watcher, request, start, kv.Status.NodeId, stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or WebSocketException)
        {
            // The client went away, the node is stopping, or a write outlived its deadline: the stream just ends.
        }
        finally
        {
            feed.Unregister(watcher);
        }
    }

    /// <summary>
    /// With a consistency level, the node first serves a read at that level (linearizable: it has applied everything
    /// acknowledged before the watch began); its view's revision is the start unless the client resumes elsewhere.
    /// </summary>
    private static async Task<long> StartRevisionAsync(WatchRequest request, IKvService kv, ChangeFeed feed, CancellationToken cancellationToken)
    {
        long? readRevision = null;
        if (request.Consistency is { } level) readRevision = (await kv.ReadAsync(level, request.MinRevision, cancellationToken)).View.Revision;
        return request.FromRevision ?? readRevision ?? feed.PublishedRevision;
    }

    private static async Task RunEventStreamAsync(HttpContext context, ChangeFeed feed, Watcher watcher, WatchRequest request, long start,
        string node, CancellationToken cancellationToken)
    {
        using var sink = new SseSink(context);
        var session = new WatchSession(feed, watcher, new WatchMessages(sink, request.Values));
        await session.RunAsync(start, node, cancellationToken);
    }

    private static async Task RunWebSocketAsync(HttpContext context, ChangeFeed feed, Watcher watcher, WatchRequest request, long start,
        string node, CancellationTokenSource stop, CancellationToken nodeStopping)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        using var sink = new WebSocketSink(socket);
        // Never cancelled: cancelling a pending receive would abort the socket before the closing handshake.
        var receiving = ReceiveUntilClosedAsync(socket, stop);
        try
        {
            await new WatchSession(feed, watcher, new WatchMessages(sink, request.Values)).RunAsync(start, node, stop.Token);
        }
        finally
        {
            await CloseAsync(socket, nodeStopping.IsCancellationRequested);
            if (await Task.WhenAny(receiving, Task.Delay(CloseTimeout, CancellationToken.None)) != receiving) socket.Abort();
            await receiving;
        }
    }

    /// <summary>The client sends nothing but control frames; its close (or a broken connection) ends the session.</summary>
    private static async Task ReceiveUntilClosedAsync(WebSocket socket, CancellationTokenSource stop)
    {
        var buffer = new byte[256];
        try
        {
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close) break;
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
        {
        }
        finally
        {
            try
            {
                await stop.CancelAsync();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private static async Task CloseAsync(WebSocket socket, bool stopping)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
        using var deadline = new CancellationTokenSource(CloseTimeout);
        try
        {
            await socket.CloseOutputAsync(stopping ? WebSocketCloseStatus.EndpointUnavailable : WebSocketCloseStatus.NormalClosure,
                stopping ? "the node is stopping" : null, deadline.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException)
        {
        }
    }

    private static bool AcceptsEventStream(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted)) return false;
        return accepted.Any(a => a.MediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase));
    }
}

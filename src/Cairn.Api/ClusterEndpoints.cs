using System.Text.Json;
using Cairn.Node;
using Cairn.Node.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Api;

/// <summary>
/// <c>/v1/_cluster</c>: this node's view of the cluster, and the admin operations (add a member, remove one,
/// transfer leadership). Admin operations run on the leader; any other node forwards the HTTP request to the
/// leader's advertised URL and relays its answer (marked with <see cref="ForwardedHeader"/> so it never loops).
/// </summary>
internal static class ClusterEndpoints
{
    public const string ForwardedHeader = "X-Cairn-Forwarded";

    private static readonly HttpClient Proxy = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static void Map(IEndpointRouteBuilder v1)
    {
        v1.MapGet("/_cluster", Get).WithName("Cluster").Produces<ClusterView>();
        v1.MapGet("/_cluster/checkpoints", (HttpContext context) =>
            TypedResults.Json(context.RequestServices.GetService<IClusterAdmin>()?.Checkpoints ?? [], ApiJsonContext.Default.IReadOnlyListCheckpointHash))
            .WithName("Checkpoints");
        v1.MapGet("/_cluster/nodes", ClusterNodesEndpoint.GetAsync).WithName("ClusterNodes").Produces<ClusterNodesResponse>();
        v1.MapGet("/_cluster/hash", Hash).WithName("StateHash").Produces<StateHashResponse>();
        v1.MapPost("/_cluster/members", Add).WithName("AddMember").Produces<MemberView>().ProducesProblem(400).ProducesProblem(409);
        v1.MapDelete("/_cluster/members/{name}", Remove).WithName("RemoveMember").ProducesProblem(400).ProducesProblem(409);
        v1.MapPost("/_cluster/leader/transfer", Transfer).WithName("TransferLeadership").Produces<TransferResponse>().ProducesProblem(409);
        v1.MapPost("/_cluster/accept-data-loss", AcceptDataLoss).WithName("AcceptDataLoss")
            .WithSummary("After a majority of voters lost their state: continue from this node's state (never relayed)")
            .Produces<DataLossAccepted>().ProducesProblem(409).ProducesProblem(503);
    }

    // Runs on the node it is sent to: there is no leader to relay it to, and the node chosen is the one whose state is kept.
    private static async Task<IResult> AcceptDataLoss(HttpContext context, CancellationToken cancellationToken)
    {
        var admin = Admin(context);
        try
        {
            return TypedResults.Json(await admin.AcceptDataLossAsync(cancellationToken), ApiJsonContext.Default.DataLossAccepted);
        }
        catch (InvalidOperationException e)
        {
            return Problems.Result(ProblemKind.DataLossRefused, e.Message);
        }
    }

    private static Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<ClusterView> Get(HttpContext context, IKvService kv, ApiOptions options) =>
        TypedResults.Json(LocalView(context, kv) with { AdminRoutes = options.AdminRoutes }, ApiJsonContext.Default.ClusterView);

    /// <summary>This node's view: the cluster node's own, or a one-member view of a single node.</summary>
    internal static ClusterView LocalView(HttpContext context, IKvService kv)
    {
        if (context.RequestServices.GetService<IClusterAdmin>() is { } admin) return admin.GetView();
        var s = kv.Status;
        var self = new MemberView(s.NodeId, s.NodeId, s.Role, null, null, s.AppliedIndex, 0, 0, null);
        return new ClusterView("single-node", s.NodeId, s.Role, s.LeaderId, s.Term, s.CommitIndex, s.AppliedIndex,
            s.AppliedIndex, s.Ready, [self]);
    }

    // The SHA-256 of this node's whole state at its applied revision: equal on every replica at equal revisions.
    private static async Task<Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<StateHashResponse>> Hash(IKvService kv, CancellationToken ct)
    {
        var read = await kv.ReadAsync(ReadConsistency.Stale, 0, ct);
        var hash = Convert.ToHexStringLower(read.View.ComputeStateHash());
        return TypedResults.Json(new StateHashResponse(kv.Status.NodeId, read.View.Revision, hash), ApiJsonContext.Default.StateHashResponse);
    }

    private static async Task<IResult> Add(HttpContext context, RequestValidation validate)
    {
        RequestValidation.RequireJson(context.Request);
        var body = await RequestValidation.ReadBodyAsync(context.Request, validate.Options.RequestBodyBytesMax, context.RequestAborted);
        JsonBodies.Validate(body, validate.Options.JsonDepthMax, requireObject: true);
        var join = JsonSerializer.Deserialize(body, ApiJsonContext.Default.JoinBody);
        if (join is null || string.IsNullOrEmpty(join.Name) || string.IsNullOrEmpty(join.PeerAddress))
            throw new ApiProblemException(ProblemKind.InvalidMember, "the body needs \"name\" and \"peerAddress\" (and optionally \"httpAddress\")");
        RequireValidName(join.Name);
        var admin = Admin(context);
        return await OnLeaderAsync(context, admin, body, async ct =>
            TypedResults.Json(await admin.AddMemberAsync(new MemberInfo(join.Name, join.PeerAddress, join.HttpAddress), ct),
                ApiJsonContext.Default.MemberView));
    }

    private static Task<IResult> Remove(HttpContext context, string name)
    {
        RequireValidName(name);
        var admin = Admin(context);
        return OnLeaderAsync(context, admin, ReadOnlyMemory<byte>.Empty, async ct =>
        {
            await admin.RemoveMemberAsync(name, ct);
            return TypedResults.NoContent();
        });
    }

    private static async Task<IResult> Transfer(HttpContext context, RequestValidation validate)
    {
        var body = await RequestValidation.ReadBodyAsync(context.Request, validate.Options.RequestBodyBytesMax, context.RequestAborted);
        string? to = null;
        if (body.Length > 0)
        {
            JsonBodies.Validate(body, validate.Options.JsonDepthMax, requireObject: true);
            to = JsonSerializer.Deserialize(body, ApiJsonContext.Default.TransferBody)?.To;
            if (to is not null) RequireValidName(to);
        }
        var admin = Admin(context);
        return await OnLeaderAsync(context, admin, body, async ct =>
            TypedResults.Json(new TransferResponse(await admin.TransferLeadershipAsync(to, ct)), ApiJsonContext.Default.TransferResponse));
    }

    private static void RequireValidName(string name)
    {
        if (!NodeNames.IsValid(name))
            throw new ApiProblemException(ProblemKind.InvalidMember,
                $"'{name}' is not a valid node name: 1-32 characters of a-z, 0-9 and '-', starting with a letter or digit");
    }

    private static IClusterAdmin Admin(HttpContext context)
    {
        if (!context.RequestServices.GetRequiredService<ApiOptions>().AdminRoutes)
        {
            throw new ApiProblemException(ProblemKind.AdminDisabled,
                "this node was started with Cairn:Api:AdminRoutes=false; membership and leadership cannot be changed through it");
        }
        return context.RequestServices.GetService<IClusterAdmin>()
        ?? throw new ApiProblemException(ProblemKind.MembershipRefused,
            "this node runs alone (started without a peer address); membership cannot change. Start nodes with --peer-address.");
    }

    // Runs the operation here when this node leads; otherwise relays the request to the leader. A leader that hands
    // its leadership away to let itself be removed answers 503 with Retry-After 0: the request is relayed once more,
    // even when it reached this node relayed (that one extra hop is bounded: it happens at most once per request).
    private static async Task<IResult> OnLeaderAsync(HttpContext context, IClusterAdmin admin, ReadOnlyMemory<byte> body,
        Func<CancellationToken, Task<IResult>> operation)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (!admin.IsLeader) return await RelayAsync(context, admin, body, afterHandoff: attempt > 0);
            try
            {
                return await operation(context.RequestAborted);
            }
            catch (ArgumentException e)
            {
                return Problems.Result(ProblemKind.MembershipRefused, e.Message);
            }
            catch (ServiceUnavailableException e) when (e.RetryAfter == TimeSpan.Zero && attempt == 0)
            {
                // Leadership just moved on purpose; go round once more to reach the new leader.
            }
        }
    }

    private static async Task<IResult> RelayAsync(HttpContext context, IClusterAdmin admin, ReadOnlyMemory<byte> body, bool afterHandoff)
    {
        var leader = admin.LeaderHttpAddress;
        if ((context.Request.Headers.ContainsKey(ForwardedHeader) && !afterHandoff) || leader is null)
        {
            throw new ServiceUnavailableException(UnavailableReason.NoLeader, false, leader is null
                ? "this node is not the leader and does not know the leader's HTTP address yet; retry shortly"
                : "the request was forwarded to a node that is not the leader (leadership is moving); retry shortly");
        }
        var target = new Uri(new Uri(leader.TrimEnd('/') + "/"), context.Request.Path.Value!.TrimStart('/') + context.Request.QueryString);
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), target);
        request.Headers.Add(ForwardedHeader, "1");
        if (body.Length > 0)
        {
            request.Content = new ReadOnlyMemoryContent(body);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }
        try
        {
            using var response = await Proxy.SendAsync(request, context.RequestAborted);
            var bytes = await response.Content.ReadAsByteArrayAsync(context.RequestAborted);
            var type = response.Content.Headers.ContentType?.ToString();
            return new Relayed((int)response.StatusCode, type, bytes);
        }
        catch (HttpRequestException e)
        {
            throw new ServiceUnavailableException(UnavailableReason.NoLeader, false, $"the leader at {leader} cannot be reached: {e.Message}");
        }
    }
}

/// <summary>The leader's answer, passed through unchanged.</summary>
internal sealed class Relayed(int status, string? contentType, byte[] body) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = status;
        if (contentType is not null) httpContext.Response.ContentType = contentType;
        return httpContext.Response.Body.WriteAsync(body).AsTask();
    }
}

public sealed record TransferBody(string? To);

public sealed record TransferResponse(string Leader);

public sealed record StateHashResponse(string Node, long Revision, string Hash);

using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Cairn.Node;
using Cairn.Node.Cluster;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cairn.Api;

/// <summary>
/// <c>GET /v1/_cluster/nodes</c>: every member as it sees itself. The answering node asks each other member's advertised
/// HTTP address for its own <c>/v1/_cluster</c> (in parallel, each bounded by <see cref="ApiOptions.ClusterProbeTimeoutMs"/>)
/// and joins the answers with the leader's view of lag and last contact. A member that does not answer is reported
/// <c>unreachable</c> with the reason; the call itself never fails for it. This is what the web UI's cluster view reads,
/// since a browser page may only talk to its own origin.
/// </summary>
internal static class ClusterNodesEndpoint
{
    private static readonly HttpClient Probe = new() { Timeout = Timeout.InfiniteTimeSpan };

    public static async Task<JsonHttpResult<ClusterNodesResponse>> GetAsync(HttpContext context, IKvService kv, ApiOptions options)
    {
        var local = ClusterEndpoints.LocalView(context, kv);
        var timeout = TimeSpan.FromMilliseconds(options.ClusterProbeTimeoutMs);
        var probes = await Task.WhenAll(local.Members.Select(m =>
            m.Name == local.Node ? Task.FromResult(new Probed(local, null, 0)) : ProbeAsync(m, timeout, context.RequestAborted)));
        // Lag and last contact are the leader's knowledge; the freshest leader view (highest term) is the one to trust.
        var leaderView = probes.Select(p => p.View).Where(v => v is { Role: "leader" }).MaxBy(v => v!.Term);
        var reports = local.Members.Select((m, i) => Report(m, probes[i], leaderView)).ToList();
        return TypedResults.Json(new ClusterNodesResponse(local.Node, local.Leader, local.Term, reports), ApiJsonContext.Default.ClusterNodesResponse);
    }

    private static NodeReport Report(MemberView member, Probed probe, ClusterView? leaderView)
    {
        var fromLeader = leaderView?.Members.FirstOrDefault(m => m.Name == member.Name);
        var own = probe.View;
        var health = own is null ? (member.HttpAddress is null ? "unknown" : "unreachable") : own.Ready ? "ready" : "not-ready";
        return new NodeReport(member.Name, member.Id, member.HttpAddress, health, probe.Error, own?.Role ?? member.Role, own?.Term,
            own?.Leader, own?.CommitIndex, own?.AppliedIndex, fromLeader?.Lag, fromLeader?.LastContactMs, fromLeader?.Replication,
            own is null ? null : probe.Milliseconds);
    }

    private static async Task<Probed> ProbeAsync(MemberView member, TimeSpan timeout, CancellationToken aborted)
    {
        if (member.HttpAddress is null) return new Probed(null, "this node has not registered an HTTP address", 0);
        var started = Stopwatch.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        deadline.CancelAfter(timeout);
        try
        {
            var uri = new Uri(new Uri(member.HttpAddress.TrimEnd('/') + "/"), "v1/_cluster");
            using var response = await Probe.GetAsync(uri, deadline.Token);
            if (!response.IsSuccessStatusCode) return new Probed(null, $"{member.HttpAddress} answered {(int)response.StatusCode}", 0);
            var view = await response.Content.ReadFromJsonAsync(ApiJsonContext.Default.ClusterView, deadline.Token);
            return new Probed(view, view is null ? "the answer was empty" : null, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            return new Probed(null, $"no answer from {member.HttpAddress} within {timeout.TotalMilliseconds:0} ms", 0);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or UriFormatException)
        {
            return new Probed(null, $"{member.HttpAddress} cannot be reached: {e.Message}", 0);
        }
    }

    private sealed record Probed(ClusterView? View, string? Error, long Milliseconds);
}

/// <summary>The answer of <c>GET /v1/_cluster/nodes</c>: who answered, its leader and term, and one report per member.</summary>
public sealed record ClusterNodesResponse(string Node, string? Leader, ulong Term, IReadOnlyList<NodeReport> Nodes);

/// <summary>
/// One member: <c>health</c> is <c>ready</c>, <c>not-ready</c>, <c>unreachable</c> (with <c>detail</c>) or <c>unknown</c>
/// (no HTTP address registered). Role, term, leader and indexes are the node's own; lag, last contact and replication
/// state are the leader's view; <c>probeMs</c> is how long the node took to answer.
/// </summary>
public sealed record NodeReport(string Name, string Id, string? HttpAddress, string Health, string? Detail, string Role, ulong? Term,
    string? Leader, long? CommitIndex, long? AppliedIndex, long? Lag, long? LastContactMs, string? Replication, long? ProbeMs);

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Cairn.SystemTests.Harness;

/// <summary>The answers of /v1/_cluster, as the tests read them (the API's own types are not referenced: black box).</summary>
public sealed record ClusterView(string ClusterId, string Node, string Role, string? Leader, ulong Term, long CommitIndex,
    long AppliedIndex, long LastIndex, bool Ready, IReadOnlyList<MemberView> Members)
{
    public MemberView? Member(string name) => Members.FirstOrDefault(m => m.Name == name);

    public override string ToString() =>
        $"{Node}: {Role} term {Term} leader {Leader ?? "-"} commit {CommitIndex} applied {AppliedIndex} ready {Ready} " +
        $"[{string.Join(", ", Members.Select(m => $"{m.Name}:{m.Role}"))}]";
}

public sealed record MemberView(string Name, string Id, string Role, string? PeerAddress, string? HttpAddress, long? MatchIndex, long? Lag);

public sealed record StateHash(string Node, long Revision, string Hash);

public sealed record Problem(string Type, string Title, int Status, string? Detail, string? Reason, bool? MayHaveApplied);

public sealed record Health(string Status, string NodeId, string Role, long AppliedIndex);

/// <summary>Small typed calls on a node's HttpClient. Every call takes a timeout so a hung node fails the test instead of hanging it.</summary>
public static class Api
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    public static HttpClient CreateClient(Uri baseAddress) =>
        new(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(5), ConnectTimeout = TimeSpan.FromSeconds(3) })
        {
            BaseAddress = baseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };

    public static async Task<T> GetJsonAsync<T>(this HttpClient client, string path, TimeSpan? timeout = null)
    {
        using var response = await client.SendAsync(HttpMethod.Get, path, timeout: timeout);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"GET {client.BaseAddress}{path} answered {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<T>(body, Json) ?? throw new InvalidDataException($"GET {path} answered null");
    }

    public static Task<ClusterView> ClusterAsync(this HttpClient client, TimeSpan? timeout = null) =>
        client.GetJsonAsync<ClusterView>("v1/_cluster", timeout ?? TimeSpan.FromSeconds(3));

    public static Task<StateHash> HashAsync(this HttpClient client) => client.GetJsonAsync<StateHash>("v1/_cluster/hash", TimeSpan.FromSeconds(3));

    /// <summary>PUT a JSON document; the caller disposes the answer.</summary>
    public static Task<HttpResponseMessage> PutAsync(this HttpClient client, string path, string json, string? ifMatch = null,
        string? requestId = null, TimeSpan? timeout = null) =>
        client.SendAsync(HttpMethod.Put, path, json, ifMatch, requestId, timeout);

    /// <summary>GET at a consistency level (linearizable, lease, session, stale).</summary>
    public static Task<HttpResponseMessage> ReadAsync(this HttpClient client, string path, string consistency, TimeSpan? timeout = null) =>
        client.SendAsync(HttpMethod.Get, $"{path}?consistency={consistency}", timeout: timeout);

    public static async Task<HttpResponseMessage> SendAsync(this HttpClient client, HttpMethod method, string path, string? json = null,
        string? ifMatch = null, string? requestId = null, TimeSpan? timeout = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        if (ifMatch is not null) request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        if (requestId is not null) request.Headers.Add("X-Cairn-Request-Id", requestId);
        using var deadline = new CancellationTokenSource(timeout ?? CallTimeout);
        try
        {
            return await client.SendAsync(request, deadline.Token);
        }
        catch (TaskCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"{method} {client.BaseAddress}{path} did not answer within {(timeout ?? CallTimeout).TotalSeconds} s");
        }
    }

    public static async Task<Problem> ProblemAsync(this HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json",
            $"expected application/problem+json, got {response.Content.Headers.ContentType} ({(int)response.StatusCode}): {body}");
        return JsonSerializer.Deserialize<Problem>(body, Json)!;
    }

    public static string? Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public static bool IsSuccess(this HttpStatusCode status) => (int)status is >= 200 and < 300;
}

/// <summary>Client-side retry as the API documents it: a 503 (or a timeout) is retried with the same request id until a deadline.</summary>
public static class Retrying
{
    public static async Task<HttpResponseMessage> PutAsync(HttpClient client, string path, string json, TimeSpan deadline, string? requestId = null)
    {
        requestId ??= "retrying-" + Guid.NewGuid().ToString("N");
        var response = await Poll.UntilAsync($"PUT {client.BaseAddress}{path} acknowledged", deadline, async () =>
        {
            var r = await client.PutAsync(path, json, requestId: requestId, timeout: TimeSpan.FromSeconds(12));
            if (r.StatusCode != HttpStatusCode.ServiceUnavailable) return (true, r, "");
            var state = $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}";
            r.Dispose();
            return (false, r, state);
        });
        return response;
    }

    /// <summary>
    /// A read retried while it answers 503 (a node that just rejoined may not reach the leader yet); the 503 details
    /// seen on the way are returned so a test can print them.
    /// </summary>
    public static async Task<(HttpResponseMessage Response, IReadOnlyList<string> Retried)> ReadAsync(HttpClient client, string path, string consistency, TimeSpan deadline)
    {
        var retried = new List<string>();
        var response = await Poll.UntilAsync($"GET {client.BaseAddress}{path}?consistency={consistency} answered", deadline, async () =>
        {
            var r = await client.ReadAsync(path, consistency);
            if (r.StatusCode != HttpStatusCode.ServiceUnavailable) return (true, r, "");
            var state = $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}";
            retried.Add(state);
            r.Dispose();
            return (false, r, state);
        });
        return (response, retried);
    }
}

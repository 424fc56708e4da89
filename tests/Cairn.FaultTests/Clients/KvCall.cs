using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Cairn.FaultTests.Clients;

/// <summary>How one HTTP attempt ended, from the client's side.</summary>
public enum AttemptEnd
{
    /// <summary>The server answered with a final status (2xx, 404, 412, 4xx…).</summary>
    Answered,

    /// <summary>503: the server says whether the write may have applied (<see cref="Attempt.MayHaveApplied"/>).</summary>
    Unavailable,

    /// <summary>No answer within the client's timeout: the request may have been applied.</summary>
    Timeout,

    /// <summary>The connection was refused: nothing was sent, nothing applied.</summary>
    Refused,

    /// <summary>The connection broke after the request may have been sent.</summary>
    Broken,
}

/// <summary>One attempt's outcome: status, answer text, the revisions of the answer, and the body for reads.</summary>
public sealed record Attempt(AttemptEnd End, int Status, string Answer, bool MayHaveApplied, string? Body, long? ModRevision, long? ViewRevision)
{
    /// <summary>True when the attempt may have changed state on the server (for write retries).</summary>
    public bool Ambiguous => End is AttemptEnd.Timeout or AttemptEnd.Broken || (End == AttemptEnd.Unavailable && MayHaveApplied);
}

/// <summary>
/// One HTTP request of the workload against a node's raw-key API (<c>/v1/_kv/…</c>), classified for the history:
/// a final answer, a 503 (with the server's <c>mayHaveApplied</c>), a timeout, a refused or broken connection.
/// Stateless and thread-safe.
/// </summary>
public static class KvCall
{
    public static async Task<Attempt> SendAsync(HttpClient client, HttpMethod method, string path, string? body, string? requestId,
        string? ifMatch, bool ifNoneMatchAny, TimeSpan timeout)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } };
        if (requestId is not null) request.Headers.Add("X-Cairn-Request-Id", requestId);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (ifNoneMatchAny) request.Headers.TryAddWithoutValidation("If-None-Match", "*");
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            using var response = await client.SendAsync(request, deadline.Token);
            var text = await response.Content.ReadAsStringAsync(deadline.Token);
            var status = (int)response.StatusCode;
            var mod = response.Headers.ETag is { Tag: var tag } ? ParseTag(tag) : null;
            var view = response.Headers.TryGetValues("X-Cairn-Revision", out var values)
                && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : (long?)null;
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                var (kind, may) = Problem(text);
                return new Attempt(AttemptEnd.Unavailable, status, $"503 {kind}", may, text, null, view);
            }
            var answer = status >= 400 ? $"{status} {Problem(text).Kind}" : status.ToString(CultureInfo.InvariantCulture);
            return new Attempt(AttemptEnd.Answered, status, answer, false, text, mod, view);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return new Attempt(AttemptEnd.Timeout, 0, "timeout", true, null, null, null);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            return new Attempt(AttemptEnd.Refused, 0, "refused", false, null, null, null);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return new Attempt(AttemptEnd.Broken, 0, "broken: " + e.Message, true, null, null, null);
        }
    }

    /// <summary>The problem type's suffix (<c>urn:cairn:problem:&lt;kind&gt;</c>) and its <c>mayHaveApplied</c> (true when absent).</summary>
    public static (string Kind, bool MayHaveApplied) Problem(string? body)
    {
        if (string.IsNullOrEmpty(body)) return ("(no body)", true);
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            var type = root.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
            var reason = root.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? "/" + r.GetString() : "";
            var may = !root.TryGetProperty("mayHaveApplied", out var m) || m.ValueKind != JsonValueKind.False;
            return (type[(type.LastIndexOf(':') + 1)..] + reason, may);
        }
        catch (JsonException)
        {
            return ("(not problem+json)", true);
        }
    }

    private static long? ParseTag(string tag) =>
        tag.Length >= 3 && long.TryParse(tag.AsSpan(1, tag.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : null;
}

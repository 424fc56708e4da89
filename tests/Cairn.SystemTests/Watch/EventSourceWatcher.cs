using System.Net.Http.Headers;
using System.Text;
using Cairn.SystemTests.Harness;

namespace Cairn.SystemTests.Watch;

/// <summary>
/// Server-Sent Events read by hand the way a browser's EventSource does: the last <c>id:</c> seen is sent back as
/// <c>Last-Event-ID</c> on every reconnection (here to another node when the first one is gone); the URL never changes.
/// </summary>
public sealed class EventSourceWatcher(string label, TestCluster cluster, IReadOnlyList<string> nodes, string? collection)
    : ClusterWatcher(label, cluster, nodes, collection)
{
    protected override bool ResumesBySseId => true;

    protected override async Task WatchAsync(HttpClient node, string nodeName, long? resume, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/_watch" + (Collection is null ? "" : $"?collection={Collection}"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (resume is { } r) request.Headers.Add("Last-Event-ID", r.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await node.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8);
        StringBuilder? data = null;
        long? id = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data is not null) OnMessage(data.ToString(), nodeName, id);
                (data, id) = (null, null);
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                var text = line[5..].TrimStart(' ');
                data = data is null ? new StringBuilder(text) : data.Append('\n').Append(text);
            }
            else if (line.StartsWith("id:", StringComparison.Ordinal))
            {
                id = long.Parse(line[3..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }
}

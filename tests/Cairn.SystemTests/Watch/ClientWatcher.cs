using Cairn.Client;
using Cairn.SystemTests.Harness;

namespace Cairn.SystemTests.Watch;

/// <summary>
/// A watcher on <see cref="CairnWatch.WatchAsync"/> (Cairn.Client): the client resumes by itself on its node; after a
/// couple of failed reconnects it gives up and this watcher starts a new client watch on another node with
/// <see cref="WatchRequest.FromRevision"/> = its resume point.
/// </summary>
public sealed class ClientWatcher(string label, TestCluster cluster, IReadOnlyList<string> nodes, string? collection, WatchTransport transport)
    : ClusterWatcher(label, cluster, nodes, collection)
{
    protected override async Task WatchAsync(HttpClient node, string nodeName, long? resume, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = node.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var client = new CairnClient(http);
        var request = new WatchRequest
        {
            Collection = Collection,
            FromRevision = resume,
            Transport = transport,
            ReconnectAttemptsMax = 2,
            IdleTimeout = TimeSpan.FromSeconds(10),
        };
        await foreach (var e in client.WatchAsync(request, cancellationToken)) OnMessage(e.Json, nodeName);
    }
}

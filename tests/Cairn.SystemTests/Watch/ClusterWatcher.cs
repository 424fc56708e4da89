using System.Text.Json;
using Cairn.SystemTests.Harness;

namespace Cairn.SystemTests.Watch;

/// <summary>One change a watcher received: a put, delete or expire (not a snapshot item).</summary>
public sealed record WatchedChange(long Revision, string Type, string? Collection, string? Id, string? Key, string Node);

/// <summary>
/// A change-feed client that follows the cluster: it watches one node and, when that node's process is gone, resumes on
/// the next running node of its list from the last resume point it saw — never from scratch. Subclasses speak one
/// protocol (<see cref="ClientWatcher"/>: Cairn.Client over SSE or WebSocket with fromRevision; <see cref="EventSourceWatcher"/>:
/// raw Server-Sent Events resumed with Last-Event-ID, as a browser's EventSource does). Records every change and
/// every connection.
/// </summary>
/// <remarks>Thread-safe: one task receives; the test reads snapshots of what was recorded from its own thread.</remarks>
public abstract class ClusterWatcher : IAsyncDisposable
{
    private readonly TestCluster _cluster;
    private readonly IReadOnlyList<string> _nodes;
    private readonly Lock _gate = new();
    private readonly List<WatchedChange> _changes = [];
    private readonly List<string> _connections = [];
    private readonly List<string> _failures = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _loop = Task.CompletedTask;
    private long _resume = -1;
    private int _snapshots;

    protected ClusterWatcher(string label, TestCluster cluster, IReadOnlyList<string> nodes, string? collection)
    {
        Label = label;
        _cluster = cluster;
        _nodes = nodes;
        Collection = collection;
        Node = nodes[0];
    }

    public string Label { get; }

    /// <summary>The collection watched; null watches everything.</summary>
    public string? Collection { get; }

    /// <summary>The node currently watched.</summary>
    public string Node { get; private set; }

    /// <summary>The last revision up to which everything was delivered (-1 before the first start message).</summary>
    public long ResumePoint => Interlocked.Read(ref _resume);

    public int SnapshotsSeen => Volatile.Read(ref _snapshots);

    /// <summary>Completes at the first start message.</summary>
    public Task Started => _started.Task;

    public IReadOnlyList<WatchedChange> Changes
    {
        get
        {
            lock (_gate) return [.. _changes];
        }
    }

    /// <summary>Each connection's node and start revision, in order.</summary>
    public IReadOnlyList<string> Connections
    {
        get
        {
            lock (_gate) return [.. _connections];
        }
    }

    public IReadOnlyList<string> Failures
    {
        get
        {
            lock (_gate) return [.. _failures];
        }
    }

    public override string ToString() =>
        $"{Label} ({Collection ?? "everything"}): {Changes.Count} changes, resume point {ResumePoint}, connections [{string.Join("; ", Connections)}]";

    public void Start() => _loop = Task.Run(RunAsync);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    /// <summary>Connects to <paramref name="node"/> (resuming after <paramref name="resume"/> when given) and handles messages until the stream ends or fails.</summary>
    protected abstract Task WatchAsync(HttpClient node, string nodeName, long? resume, CancellationToken cancellationToken);

    protected long? Resume => ResumePoint >= 0 ? ResumePoint : null;

    /// <summary>True: only the SSE <c>id:</c> fields move the resume point (as in an EventSource); false: the message types do.</summary>
    protected virtual bool ResumesBySseId => false;

    /// <summary>Handles one message of the feed; <paramref name="resumeId"/> is the SSE id when the protocol carries one.</summary>
    protected void OnMessage(string json, string node, long? resumeId = null)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var type = root.GetProperty("type").GetString()!;
        var revision = root.GetProperty("revision").GetInt64();
        var snapshot = root.TryGetProperty("snapshot", out var s) && s.GetBoolean();
        var more = root.TryGetProperty("more", out var m) && m.GetBoolean();
        switch (type)
        {
            case "start":
                lock (_gate) _connections.Add($"{node} from {revision}");
                _started.TrySetResult();
                break;
            case "snapshot-begin":
                Interlocked.Increment(ref _snapshots);
                break;
            case "put" or "delete" or "expire" when !snapshot:
                lock (_gate) _changes.Add(new WatchedChange(revision, type, Text(root, "collection"), Text(root, "id"), Text(root, "key"), node));
                break;
        }
        var resumable = type is "start" or "progress" or "snapshot-end" || (type is "put" or "delete" or "expire" && !snapshot && !more);
        if (ResumesBySseId)
        {
            if (resumeId is { } id) Interlocked.Exchange(ref _resume, id);
        }
        else if (resumable)
        {
            Interlocked.Exchange(ref _resume, revision);
        }
    }

    private async Task RunAsync()
    {
        var stopping = _stop.Token;
        while (!stopping.IsCancellationRequested)
        {
            var node = Node;
            try
            {
                await WatchAsync(_cluster.Client(node), node, Resume, stopping);
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                lock (_gate) _failures.Add($"{node}: {e.GetType().Name}: {e.Message}");
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (!_cluster[node].IsRunning) Node = _nodes.FirstOrDefault(n => n != node && _cluster[n].IsRunning) ?? node;
            try
            {
                await Task.Delay(100, stopping); // reconnect back-off, as any watch client has
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() : null;
}

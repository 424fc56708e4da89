namespace Cairn.Client;

public enum WatchTransport
{
    /// <summary>Server-Sent Events over an ordinary HTTP response (works through every HTTP proxy).</summary>
    ServerSentEvents,
    WebSocket,
}

/// <summary>
/// What to watch and how. At most one filter: <see cref="Collection"/> (with <see cref="Id"/> for one document),
/// <see cref="Key"/> for one raw key, or <see cref="Prefix"/> for raw keys; none watches everything.
/// </summary>
public sealed record WatchRequest
{
    public string? Collection { get; init; }
    public string? Id { get; init; }
    public string? Key { get; init; }
    public string? Prefix { get; init; }

    /// <summary>Start after this revision (null: at the node's current revision). Reconnects resume on their own.</summary>
    public long? FromRevision { get; init; }

    /// <summary>Include values (documents as JSON, raw values as bytes).</summary>
    public bool Values { get; init; }

    /// <summary>e.g. <c>linearizable</c>: the node first serves a read at this level (a start no older than it).</summary>
    public string? Consistency { get; init; }

    public WatchTransport Transport { get; init; } = WatchTransport.ServerSentEvents;

    /// <summary>No message for this long (the server sends progress every few seconds): the connection is presumed dead and replaced.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest wait between reconnection attempts (the wait doubles from 100 ms up to this).</summary>
    public TimeSpan ReconnectDelayMax { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Consecutive failed attempts to (re)connect before the watch gives up with the last error; null: never.</summary>
    public int? ReconnectAttemptsMax { get; init; }

    internal string Query(long? from)
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (value is not null) parts.Add(name + "=" + Uri.EscapeDataString(value));
        }
        Add("collection", Collection);
        Add("id", Id);
        Add("key", Key);
        Add("prefix", Prefix);
        Add("fromRevision", from?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (Values) Add("values", "true");
        Add("consistency", Consistency);
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }
}

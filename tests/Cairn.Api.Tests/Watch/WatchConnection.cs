using System.Net.WebSockets;
using System.Text;

namespace Cairn.Api.Tests.Watch;

/// <summary>A raw watch connection (SSE or WebSocket) that a test reads message by message.</summary>
public abstract class WatchConnection : IAsyncDisposable
{
    public List<WatchMsg> Received { get; } = [];

    /// <summary>The last resume id received (what an EventSource would send as Last-Event-ID).</summary>
    public long? LastResumeId { get; private set; }

    public static async Task<WatchConnection> OpenAsync(bool webSocket, Uri server, string query, long? lastEventId = null) =>
        webSocket ? await WebSocketConnection.OpenAsync(server, query) : await SseConnection.OpenAsync(server, query, lastEventId);

    /// <summary>The next message, or null when the server ended the stream.</summary>
    protected abstract Task<WatchMsg?> ReadAsync(CancellationToken cancellationToken);

    public async Task<WatchMsg?> NextAsync(int timeoutMs = 20_000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        WatchMsg? m;
        try
        {
            m = await ReadAsync(cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"no message within {timeoutMs} ms; last: {string.Join(", ", Received.TakeLast(5))}");
        }
        if (m is null) return null;
        Received.Add(m);
        if (m.ResumeId is { } id) LastResumeId = id;
        return m;
    }

    /// <summary>Reads until a message satisfies <paramref name="stop"/>; returns the messages read by this call.</summary>
    public async Task<List<WatchMsg>> UntilAsync(Func<WatchMsg, bool> stop, int timeoutMs = 30_000)
    {
        var read = new List<WatchMsg>();
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var left = (int)Math.Max(1, (deadline - DateTime.UtcNow).TotalMilliseconds);
            var m = await NextAsync(left) ?? throw new InvalidOperationException($"the stream ended; last: {string.Join(", ", read.TakeLast(5))}");
            read.Add(m);
            if (stop(m)) return read;
        }
    }

    /// <summary>Reads until a message completes revision <paramref name="revision"/> or later.</summary>
    public Task<List<WatchMsg>> UntilRevisionAsync(long revision) => UntilAsync(m => m.ResumeId >= revision);

    public abstract ValueTask DisposeAsync();
}

internal sealed class SseConnection(HttpClient http, HttpResponseMessage response, StreamReader reader) : WatchConnection
{
    public HttpResponseMessage Response => response;

    public static async Task<SseConnection> OpenAsync(Uri server, string query, long? lastEventId)
    {
        var http = new HttpClient { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/_watch" + query);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is { } id) request.Headers.TryAddWithoutValidation("Last-Event-ID", id.ToString());
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return new SseConnection(http, response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    protected override async Task<WatchMsg?> ReadAsync(CancellationToken cancellationToken)
    {
        string? data = null;
        long? id = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data is not null) return WatchMsg.Parse(Encoding.UTF8.GetBytes(data), id);
                continue;
            }
            if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
            else if (line.StartsWith("id: ", StringComparison.Ordinal)) id = long.Parse(line[4..]);
        }
        return null;
    }

    public override ValueTask DisposeAsync()
    {
        reader.Dispose();
        response.Dispose();
        http.Dispose();
        return ValueTask.CompletedTask;
    }
}

internal sealed class WebSocketConnection(ClientWebSocket socket) : WatchConnection
{
    private readonly byte[] _buffer = new byte[64 * 1024];

    public ClientWebSocket Socket => socket;

    public static async Task<WebSocketConnection> OpenAsync(Uri server, string query)
    {
        var socket = new ClientWebSocket();
        var uri = new UriBuilder(server) { Scheme = "ws", Path = "/v1/_watch", Query = query.TrimStart('?') }.Uri;
        await socket.ConnectAsync(uri, CancellationToken.None);
        return new WebSocketConnection(socket);
    }

    protected override async Task<WatchMsg?> ReadAsync(CancellationToken cancellationToken)
    {
        using var message = new MemoryStream();
        while (true)
        {
            var r = await socket.ReceiveAsync(_buffer, cancellationToken);
            if (r.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                return null;
            }
            message.Write(_buffer, 0, r.Count);
            if (r.EndOfMessage) break;
        }
        var m = WatchMsg.Parse(message.ToArray(), null);
        // The same resume points the SSE ids mark: revision ends, start, progress, snapshot-end.
        var resumable = m.Type is "start" or "progress" or "snapshot-end" || (m.IsChange && !m.More);
        return m with { ResumeId = resumable ? m.Revision : null };
    }

    public override async ValueTask DisposeAsync()
    {
        if (socket.State == WebSocketState.Open)
        {
            using var cts = new CancellationTokenSource(5000);
            try
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
        }
        socket.Dispose();
    }
}

using System.Buffers.Text;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;

namespace Cairn.WatchBench;

/// <summary>One watcher connection that timestamps every change it receives (revision, Stopwatch ticks), nothing else.</summary>
internal sealed class BenchWatcher
{
    private long[] _revisions = new long[1024];
    private long[] _ticks = new long[1024];

    private long _last;
    private int _started;

    public int Count { get; private set; }
    public bool Started => Volatile.Read(ref _started) != 0;

    /// <summary>The last change revision received; once a reader sees a value here, the arrays up to it are visible too.</summary>
    public long LastRevision => Volatile.Read(ref _last);

    public ReadOnlySpan<long> Revisions => _revisions.AsSpan(0, Count);
    public ReadOnlySpan<long> Ticks => _ticks.AsSpan(0, Count);

    public Task RunAsync(HttpClient http, Uri server, string query, bool webSocket, CancellationToken ct) =>
        webSocket ? RunWebSocketAsync(server, query, ct) : RunSseAsync(http, query, ct);

    private async Task RunSseAsync(HttpClient http, string query, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/_watch" + query);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct), Encoding.UTF8);
        var change = false;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                change = line.StartsWith("data: {\"type\":\"put\"", StringComparison.Ordinal)
                    || line.StartsWith("data: {\"type\":\"delete\"", StringComparison.Ordinal);
                if (line.StartsWith("data: {\"type\":\"start\"", StringComparison.Ordinal)) Volatile.Write(ref _started, 1);
            }
            else if (change && line.StartsWith("id: ", StringComparison.Ordinal))
            {
                Add(long.Parse(line.AsSpan(4)), Stopwatch.GetTimestamp());
                change = false;
            }
        }
    }

    private async Task RunWebSocketAsync(Uri server, string query, CancellationToken ct)
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new UriBuilder(server) { Scheme = "ws", Path = "/v1/_watch", Query = query.TrimStart('?') }.Uri, ct);
        var buffer = new byte[64 * 1024];
        while (!ct.IsCancellationRequested)
        {
            var r = await socket.ReceiveAsync(buffer, ct);
            if (r.MessageType == WebSocketMessageType.Close) return;
            if (!r.EndOfMessage) throw new InvalidOperationException("bench messages fit one buffer");
            var message = buffer.AsSpan(0, r.Count);
            var now = Stopwatch.GetTimestamp();
            if (message.StartsWith("{\"type\":\"start\""u8)) Volatile.Write(ref _started, 1);
            if (!message.StartsWith("{\"type\":\"put\""u8) && !message.StartsWith("{\"type\":\"delete\""u8)) continue;
            var at = message.IndexOf("\"revision\":"u8) + "\"revision\":"u8.Length;
            if (!Utf8Parser.TryParse(message[at..], out long revision, out _)) throw new InvalidOperationException("no revision");
            Add(revision, now);
        }
    }

    private void Add(long revision, long ticks)
    {
        if (Count == _revisions.Length)
        {
            Array.Resize(ref _revisions, Count * 2);
            Array.Resize(ref _ticks, Count * 2);
        }
        _revisions[Count] = revision;
        _ticks[Count] = ticks;
        Count++;
        Volatile.Write(ref _last, revision);
    }
}

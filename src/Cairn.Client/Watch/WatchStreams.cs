using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;

namespace Cairn.Client;

/// <summary>One watch connection: yields the server's JSON messages as text, null when the server ended the stream.</summary>
internal abstract class WatchStream : IAsyncDisposable
{
    public abstract Task<string?> ReadAsync(CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();

    public static async Task<WatchStream> OpenAsync(HttpClient http, WatchTransport transport, string query, CancellationToken cancellationToken) =>
        transport == WatchTransport.WebSocket
            ? await WebSocketWatchStream.OpenAsync(http, query, cancellationToken)
            : await SseWatchStream.OpenAsync(http, query, cancellationToken);
}

internal sealed class SseWatchStream(HttpResponseMessage response, StreamReader reader) : WatchStream
{
    public static async Task<SseWatchStream> OpenAsync(HttpClient http, string query, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/_watch" + query);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            if (!response.IsSuccessStatusCode)
                throw CairnException.From((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            return new SseWatchStream(response, new StreamReader(stream, Encoding.UTF8));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public override async Task<string?> ReadAsync(CancellationToken cancellationToken)
    {
        StringBuilder? data = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data is not null) return data.ToString();
                continue;
            }
            if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                var text = line.AsSpan(5);
                if (text.StartsWith(" ")) text = text[1..];
                if (data is null) data = new StringBuilder().Append(text);
                else data.Append('\n').Append(text);
            }
        }
        return null;
    }

    public override ValueTask DisposeAsync()
    {
        reader.Dispose();
        response.Dispose();
        return ValueTask.CompletedTask;
    }
}

internal sealed class WebSocketWatchStream(ClientWebSocket socket) : WatchStream
{
    private readonly byte[] _buffer = new byte[16 * 1024];

    public static async Task<WebSocketWatchStream> OpenAsync(HttpClient http, string query, CancellationToken cancellationToken)
    {
        var baseAddress = http.BaseAddress ?? throw new InvalidOperationException("the client needs a base address");
        var uri = new UriBuilder(baseAddress)
        {
            Scheme = baseAddress.Scheme == Uri.UriSchemeHttps ? "wss" : "ws",
            Path = baseAddress.AbsolutePath.TrimEnd('/') + "/v1/_watch",
            Query = query.TrimStart('?'),
        }.Uri;
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        try
        {
            await socket.ConnectAsync(uri, cancellationToken);
            return new WebSocketWatchStream(socket);
        }
        catch (WebSocketException) when (socket.HttpStatusCode is >= System.Net.HttpStatusCode.BadRequest and < System.Net.HttpStatusCode.InternalServerError
            and not System.Net.HttpStatusCode.RequestTimeout and not System.Net.HttpStatusCode.TooManyRequests)
        {
            var status = (int)socket.HttpStatusCode;
            socket.Dispose();
            throw new CairnException(status, "http-error", $"the server refused the watch ({status}); open it over Server-Sent Events to read the problem details");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public override async Task<string?> ReadAsync(CancellationToken cancellationToken)
    {
        using var message = new MemoryStream();
        while (true)
        {
            var r = await socket.ReceiveAsync(_buffer, cancellationToken);
            if (r.MessageType == WebSocketMessageType.Close) return null;
            message.Write(_buffer, 0, r.Count);
            if (r.EndOfMessage) return Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, deadline.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
            {
            }
        }
        socket.Dispose();
    }
}

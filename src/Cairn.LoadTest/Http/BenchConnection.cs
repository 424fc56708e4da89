using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;

namespace Cairn.LoadTest;

/// <summary>
/// One worker's HTTP/1.1 connection to one server: its own <see cref="SocketsHttpHandler"/> with
/// a single connection, so "-c 64" means 64 TCP connections, each with one request in flight.
/// Answers are read into a buffer the connection owns (valid until the next request), ETags are
/// parsed without validation objects, and problem bodies are parsed only on errors.
/// </summary>
/// <remarks>Not thread-safe: one worker uses it, one request at a time.</remarks>
public sealed class BenchConnection : IDisposable
{
    /// <summary>Answers longer than this are read and discarded rather than kept.</summary>
    public const int ResponseBytesMax = 4 << 20;

    private const string ProblemPrefix = "urn:cairn:problem:";

    private readonly HttpMessageInvoker _http;
    private readonly TimeSpan _timeout;
    private readonly CancellationToken _run;
    private CancellationTokenSource _deadline;
    private byte[] _buffer = new byte[16 * 1024];

    public BenchConnection(TimeSpan timeout, CancellationToken run)
    {
        _timeout = timeout;
        _run = run;
        _deadline = CancellationTokenSource.CreateLinkedTokenSource(run);
        _http = new HttpMessageInvoker(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            UseCookies = false,
            AllowAutoRedirect = false,
            UseProxy = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            ConnectTimeout = timeout,
        });
    }

    /// <summary>The body of the last answer (when it was kept).</summary>
    public ReadOnlySpan<byte> Body(in HttpOutcome outcome) => _buffer.AsSpan(0, outcome.BodyLength);

    /// <summary>Sends one request and reads the whole answer. Never throws for HTTP or network failures.</summary>
    public async ValueTask<HttpOutcome> SendAsync(HttpMethod method, Uri uri, ReadOnlyMemory<byte> body, string? contentType,
        string? ifMatch = null, bool ifNoneMatchAny = false)
    {
        using var request = new HttpRequestMessage(method, uri) { Version = System.Net.HttpVersion.Version11 };
        if (contentType is not null)
        {
            request.Content = new ReadOnlyMemoryContent(body);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (ifNoneMatchAny) request.Headers.TryAddWithoutValidation("If-None-Match", "*");
        _deadline.CancelAfter(_timeout);
        try
        {
            using var response = await _http.SendAsync(request, _deadline.Token);
            var length = await ReadBodyAsync(response, _deadline.Token);
            var status = (int)response.StatusCode;
            var revision = Revision(response.Headers);
            if (status is >= 200 and < 300) return new HttpOutcome(FailureKind.None, status, revision, length, null);
            return new HttpOutcome(FailureKind.Status, status, revision, length, ProblemType(_buffer.AsSpan(0, length)));
        }
        catch (OperationCanceledException) when (_run.IsCancellationRequested)
        {
            return new HttpOutcome(FailureKind.Cancelled, 0, 0, 0, null);
        }
        catch (OperationCanceledException)
        {
            return new HttpOutcome(FailureKind.Timeout, 0, 0, 0, null);
        }
        catch (HttpRequestException e)
        {
            var socket = e.InnerException as SocketException ?? e.InnerException?.InnerException as SocketException;
            return new HttpOutcome(FailureKind.Transport, 0, 0, 0, socket is null ? e.HttpRequestError.ToString() : $"{e.HttpRequestError} ({socket.SocketErrorCode})");
        }
        catch (IOException e)
        {
            return new HttpOutcome(FailureKind.Transport, 0, 0, 0, e.GetType().Name);
        }
        finally
        {
            // A fired timer cannot be re-armed: replace the source (rare: only after a timeout).
            if (!_deadline.TryReset())
            {
                _deadline.Dispose();
                _deadline = CancellationTokenSource.CreateLinkedTokenSource(_run);
            }
        }
    }

    private async ValueTask<int> ReadBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var length = 0;
        while (true)
        {
            if (length == _buffer.Length)
            {
                if (_buffer.Length >= ResponseBytesMax)
                {
                    // Keep the first part, drain the rest so the connection can be reused.
                    while (await stream.ReadAsync(_buffer.AsMemory(_buffer.Length / 2), ct) > 0) { }
                    return _buffer.Length / 2;
                }
                Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, ResponseBytesMax));
            }
            var read = await stream.ReadAsync(_buffer.AsMemory(length), ct);
            if (read == 0) return length;
            length += read;
        }
    }

    /// <summary>The revision in a strong ETag (<c>"42"</c>), or 0 when absent or not a revision.</summary>
    public static long Revision(HttpResponseHeaders headers)
    {
        if (!headers.NonValidated.TryGetValues("ETag", out var values)) return 0;
        foreach (var value in values) return ParseEtag(value);
        return 0;
    }

    public static long ParseEtag(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        if (value.Length < 3 || value[0] != '"' || value[^1] != '"') return 0;
        return long.TryParse(value[1..^1], System.Globalization.NumberStyles.None, null, out var revision) ? revision : 0;
    }

    /// <summary>The suffix of a problem+json <c>type</c> (<c>not-found</c>), or null when the body is not a problem.</summary>
    public static string? ProblemType(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty || body[0] != (byte)'{') return null;
        try
        {
            var reader = new Utf8JsonReader(body);
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("type"u8);
                reader.Read();
                if (isType && reader.TokenType == JsonTokenType.String)
                {
                    var type = reader.GetString()!;
                    return type.StartsWith(ProblemPrefix, StringComparison.Ordinal) ? type[ProblemPrefix.Length..] : type;
                }
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON: the status alone names the error.
        }
        return null;
    }

    /// <summary>The <c>id</c> of a write answer body (a POSTed document's generated id).</summary>
    public static string? IdOf(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("id"u8);
                reader.Read();
                if (isId && reader.TokenType == JsonTokenType.String) return reader.GetString();
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // No id: the caller counts the write but cannot read it back.
        }
        return null;
    }

    public void Dispose()
    {
        _http.Dispose();
        _deadline.Dispose();
    }
}

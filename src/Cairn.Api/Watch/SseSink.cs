using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cairn.Api.Watch;

/// <summary>
/// Server-Sent Events over the response body: <c>data: {json}</c>, then <c>id: R</c> on messages that complete revision
/// R, so a standard EventSource sends <c>Last-Event-ID</c> when it reconnects and resumes exactly there.
/// </summary>
internal sealed class SseSink : IWatchSink, IDisposable
{
    /// <summary>How long an EventSource waits before reconnecting (the SSE <c>retry</c> field).</summary>
    public const int ReconnectDelayMs = 1000;

    private readonly PipeWriter _pipe;
    private readonly Utf8JsonWriter _json;
    private long _pending;

    public SseSink(HttpContext context)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        _pipe = response.BodyWriter;
        _json = new Utf8JsonWriter(_pipe);
        Write("retry: "u8);
        WriteNumber(ReconnectDelayMs);
        Write("\n\n"u8);
    }

    public long PendingBytes => _pending;

    public Utf8JsonWriter BeginMessage()
    {
        Write("data: "u8);
        _json.Reset(_pipe);
        return _json;
    }

    public void EndMessage(long? resumeId)
    {
        _json.Flush();
        _pending += _json.BytesCommitted;
        Write("\n"u8);
        if (resumeId is { } id)
        {
            Write("id: "u8);
            WriteNumber(id);
            Write("\n"u8);
        }
        Write("\n"u8);
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        _pending = 0;
        var result = await _pipe.FlushAsync(cancellationToken);
        if (result.IsCanceled || result.IsCompleted) throw new OperationCanceledException("the client stopped reading the event stream");
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        _pipe.Write(bytes);
        _pending += bytes.Length;
    }

    private void WriteNumber(long n)
    {
        var span = _pipe.GetSpan(20);
        if (!Utf8Formatter.TryFormat(n, span, out var written)) throw new InvalidOperationException("a long fits in 20 bytes");
        _pipe.Advance(written);
        _pending += written;
    }

    public void Dispose() => _json.Dispose();
}

using System.Net.WebSockets;
using System.Text.Json;

namespace Cairn.Api.Watch;

/// <summary>One WebSocket text message per JSON message, buffered between flushes (bounded by the session's flush size).</summary>
internal sealed class WebSocketSink(WebSocket socket) : IWatchSink, IDisposable
{
    /// <summary>A buffer that grew past this (one huge value) is returned to the pool after the flush.</summary>
    private const int RetainedBufferBytesMax = 1024 * 1024;

    private const int InitialBufferBytes = 4096;

    private readonly List<int> _ends = [];
    private PooledBufferWriter _buffer = new(InitialBufferBytes);
    private Utf8JsonWriter? _json;

    public long PendingBytes => _buffer.WrittenCount;

    public Utf8JsonWriter BeginMessage()
    {
        if (_json is null) _json = new Utf8JsonWriter(_buffer);
        else _json.Reset(_buffer);
        return _json;
    }

    public void EndMessage(long? resumeId)
    {
        _json!.Flush();
        _ends.Add(_buffer.WrittenCount);
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var start = 0;
        foreach (var end in _ends)
        {
            await socket.SendAsync(_buffer.WrittenMemory[start..end], WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            start = end;
        }
        _ends.Clear();
        if (_buffer.WrittenCount > RetainedBufferBytesMax)
        {
            _buffer.Dispose();
            _buffer = new PooledBufferWriter(InitialBufferBytes);
        }
        else _buffer.Clear();
    }

    public void Dispose()
    {
        _json?.Dispose();
        _buffer.Dispose();
    }
}

using System.Text.Json;
using Cairn.Api.Watch;

namespace Cairn.Api.Tests.Watch;

/// <summary>An in-memory sink: messages become visible at flush; a closed gate makes flushes wait (a client not reading).</summary>
internal sealed class FakeSink : IWatchSink, IDisposable
{
    private readonly Lock _lock = new();
    private readonly PooledBufferWriter _buffer = new();
    private readonly Utf8JsonWriter _json;
    private readonly List<(int End, long? Id)> _pendingEnds = [];
    private readonly List<WatchMsg> _flushed = [];
    private TaskCompletionSource _gate = Open();

    public FakeSink() => _json = new Utf8JsonWriter(_buffer);

    public long PendingBytes => _buffer.WrittenCount;
    public int Flushes { get; private set; }

    /// <summary>True while a flush is waiting at the closed gate.</summary>
    public bool Blocked { get; private set; }

    public IReadOnlyList<WatchMsg> Messages
    {
        get
        {
            lock (_lock) return [.. _flushed];
        }
    }

    public void CloseGate()
    {
        lock (_lock) _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void OpenGate()
    {
        lock (_lock) _gate.TrySetResult();
    }

    public Utf8JsonWriter BeginMessage()
    {
        _json.Reset(_buffer);
        return _json;
    }

    public void EndMessage(long? resumeId)
    {
        _json.Flush();
        _pendingEnds.Add((_buffer.WrittenCount, resumeId));
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        Task gate;
        lock (_lock) gate = _gate.Task;
        Blocked = !gate.IsCompleted;
        await gate.WaitAsync(cancellationToken);
        Blocked = false;
        var start = 0;
        var parsed = new List<WatchMsg>(_pendingEnds.Count);
        foreach (var (end, id) in _pendingEnds)
        {
            parsed.Add(WatchMsg.Parse(_buffer.WrittenSpan[start..end], id));
            start = end;
        }
        _pendingEnds.Clear();
        _buffer.Clear();
        lock (_lock)
        {
            _flushed.AddRange(parsed);
            Flushes++;
        }
    }

    public async Task<IReadOnlyList<WatchMsg>> WaitForAsync(Func<IReadOnlyList<WatchMsg>, bool> done, string what, int timeoutMs = 20_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var messages = Messages;
            if (done(messages)) return messages;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited {timeoutMs} ms for {what}; got: {string.Join(", ", messages.TakeLast(10))}");
            await Task.Delay(5);
        }
    }

    public void Dispose()
    {
        _json.Dispose();
        _buffer.Dispose();
    }

    private static TaskCompletionSource Open()
    {
        var t = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        t.SetResult();
        return t;
    }
}

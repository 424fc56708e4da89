using System.Net.Sockets;
using System.Threading.Channels;
using Cairn.Transport.Wire;
using Microsoft.Extensions.Logging;

namespace Cairn.Transport.Tcp;

/// <summary>
/// Everything this node sends to one peer: a bounded queue filled by <see cref="TryEnqueue"/> (any thread, never
/// blocks) and one loop that owns the single ordered connection: connect, handshake, write queued frames in batches
/// with one flush each, and on failure discard the queue, report the outage once, back off and reconnect.
/// </summary>
internal sealed class PeerSender : IAsyncDisposable
{
    private readonly record struct Queued(Frame Frame, int Bytes);

    private readonly TransportOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<NodeId> _onUnreachable;
    private readonly HandshakeFrame _handshake;
    private readonly Backoff _backoff;
    private readonly Channel<Queued> _queue;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private long _queuedBytes;
    private long _framesSent;
    private long _bytesSent;
    private long _dropped;
    private long _reconnects;
    private long _connectFailures;
    private volatile bool _connected;
    private bool _outageReported;

    public PeerSender(NodeId peer, PeerAddress address, TransportOptions options, TimeProvider time, ILogger logger,
        Action<NodeId> onUnreachable, Random jitter)
    {
        Peer = peer;
        Address = address;
        _options = options;
        _time = time;
        _logger = logger;
        _onUnreachable = onUnreachable;
        _handshake = new HandshakeFrame(WireLimits.ProtocolVersion, options.ClusterId, options.LocalId);
        _backoff = new Backoff(options.ReconnectDelayMinMs, options.ReconnectDelayMaxMs, jitter);
        _queue = Channel.CreateBounded<Queued>(new BoundedChannelOptions(options.SendQueueFramesMax)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite this means "refuse when full", never block
        });
    }

    public NodeId Peer { get; }

    public PeerAddress Address { get; }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);

    /// <summary>Queues a frame already measured at <paramref name="bytes"/>; false (and counted) when a bound is reached.</summary>
    public bool TryEnqueue(Frame frame, int bytes)
    {
        if (Interlocked.Add(ref _queuedBytes, bytes) > _options.SendQueueBytesMax || !_queue.Writer.TryWrite(new Queued(frame, bytes)))
        {
            Interlocked.Add(ref _queuedBytes, -bytes);
            Interlocked.Increment(ref _dropped);
            return false;
        }
        return true;
    }

    public PeerStats GetStats() => new(Peer, Address, _connected, _queue.Reader.Count, Interlocked.Read(ref _queuedBytes),
        Interlocked.Read(ref _framesSent), Interlocked.Read(ref _bytesSent), Interlocked.Read(ref _dropped),
        Interlocked.Read(ref _reconnects), Interlocked.Read(ref _connectFailures));

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        await _loop;
        Discard();
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var everConnected = false;
        while (!stop.IsCancellationRequested)
        {
            OutboundConnection? connection = null;
            try
            {
                connection = await OutboundConnection.OpenAsync(Peer, Address, _handshake, _options, _time, stop);
                if (everConnected) Interlocked.Increment(ref _reconnects);
                everConnected = true;
                _outageReported = false;
                _backoff.Reset();
                _connected = true;
                TransportLog.Connected(_logger, Peer, Address);
                var reason = await PumpAsync(connection, stop);
                if (reason is null) break;
                TransportLog.ConnectionLost(_logger, Peer, Address, reason);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (HandshakeRefusedException e)
            {
                Interlocked.Increment(ref _connectFailures);
                TransportLog.HandshakeRefusedByPeer(_logger, Peer, Address, e.Message);
            }
            catch (Exception e) when (e is SocketException or IOException or TimeoutException or FrameFormatException or OperationCanceledException)
            {
                Interlocked.Increment(ref _connectFailures);
                TransportLog.ConnectFailed(_logger, Peer, Address, e.Message);
            }
            finally
            {
                _connected = false;
                if (connection is not null) await connection.DisposeAsync();
            }
            if (stop.IsCancellationRequested) break;
            // Frames queued for a dead link are stale by the time it is back; Raft resends what still matters.
            Discard();
            ReportOutageOnce();
            try
            {
                await Task.Delay(_backoff.Next(), _time, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Writes queued frames until the connection ends; returns why, or null when the sender is stopping.</summary>
    private async Task<string?> PumpAsync(OutboundConnection connection, CancellationToken stop)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, connection.Closed);
        var token = linked.Token;
        // One timer per connection, re-armed per flush: a peer that stops reading costs at most WriteTimeoutMs.
        using var flushTimeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        using var link = token.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), flushTimeout);
        var reader = _queue.Reader;
        var frames = 0; // frames of the batch in flight: lost (counted as dropped) if the connection fails under them
        try
        {
            while (await reader.WaitToReadAsync(token))
            {
                long batchBytes = 0;
                frames = 0;
                while (batchBytes < _options.SendBatchBytesMax && reader.TryRead(out var item))
                {
                    Interlocked.Add(ref _queuedBytes, -item.Bytes);
                    FrameCodec.Write(connection.Writer, item.Frame);
                    batchBytes += item.Bytes;
                    frames++;
                }
                flushTimeout.CancelAfter(_options.WriteTimeoutMs);
                var flushed = await connection.Writer.FlushAsync(flushTimeout.Token);
                flushTimeout.CancelAfter(Timeout.InfiniteTimeSpan);
                if (flushed.IsCanceled || flushed.IsCompleted)
                {
                    Interlocked.Add(ref _dropped, frames);
                    return "the connection stopped accepting writes";
                }
                Interlocked.Add(ref _framesSent, frames);
                Interlocked.Add(ref _bytesSent, batchBytes);
                frames = 0;
            }
            return null;
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            Interlocked.Add(ref _dropped, frames);
            return connection.Closed.IsCancellationRequested ? "closed by the peer" : $"no write progress within {_options.WriteTimeoutMs} ms";
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Interlocked.Add(ref _dropped, frames);
            return e.Message;
        }
    }

    private void Discard()
    {
        while (_queue.Reader.TryRead(out var item))
        {
            Interlocked.Add(ref _queuedBytes, -item.Bytes);
            Interlocked.Increment(ref _dropped);
        }
    }

    private void ReportOutageOnce()
    {
        if (_outageReported) return;
        _outageReported = true;
        _onUnreachable(Peer);
    }
}

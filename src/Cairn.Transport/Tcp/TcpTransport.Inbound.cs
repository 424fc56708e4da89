using System.IO.Pipelines;
using Cairn.Transport.Wire;

namespace Cairn.Transport.Tcp;

public sealed partial class TcpTransport
{
    /// <summary>The current inbound connection per peer: a newer one from the same node replaces (closes) the older.</summary>
    private readonly Dictionary<NodeId, CancellationTokenSource> _inbound = [];
    private readonly HashSet<Task> _inboundTasks = [];
    private long _framesReceived;
    private long _inboundConnections;
    private long _handshakesRefused;
    private long _malformed;

    /// <summary>
    /// Serves one inbound connection until it ends: handshake (refused with a reason and closed on a wrong magic,
    /// version or cluster id), then frames to the handler. A malformed frame or protocol violation closes only this
    /// connection. Returns when the connection should be closed (Kestrel closes it).
    /// </summary>
    public Task AcceptAsync(IDuplexPipe connection, string remote, CancellationToken connectionClosed)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var task = ServeAsync(connection, remote, connectionClosed);
        lock (_gate)
        {
            if (!task.IsCompleted) _inboundTasks.Add(task);
        }
        return ForgetWhenDone(task);
    }

    private async Task ForgetWhenDone(Task task)
    {
        try
        {
            await task;
        }
        finally
        {
            lock (_gate) _inboundTasks.Remove(task);
        }
    }

    private async Task ServeAsync(IDuplexPipe connection, string remote, CancellationToken connectionClosed)
    {
        await Task.Yield(); // run off the caller's stack, so AcceptAsync registers the task before it can finish
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(connectionClosed);
        Interlocked.Increment(ref _inboundConnections);
        var peer = NodeId.None;
        try
        {
            peer = await HandshakeAsync(connection, remote, cancel);
            if (peer.IsNone) return;
            await ReceiveAsync(connection.Input, remote, peer, cancel.Token);
        }
        catch (FrameFormatException e)
        {
            Interlocked.Increment(ref _malformed);
            TransportLog.ProtocolViolation(_logger, remote, peer, e.Message);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The peer went away, a newer connection replaced this one, or the transport is stopping.
        }
        finally
        {
            if (!peer.IsNone)
            {
                lock (_gate)
                {
                    if (_inbound.TryGetValue(peer, out var current) && current == cancel) _inbound.Remove(peer);
                }
            }
        }
    }

    /// <summary>The peer's id when accepted; <see cref="NodeId.None"/> when refused (the ack has been sent).</summary>
    private async Task<NodeId> HandshakeAsync(IDuplexPipe connection, string remote, CancellationTokenSource cancel)
    {
        Frame? first;
        using (var deadline = new Deadline(_time, _options.HandshakeTimeoutMs, cancel.Token))
        {
            try
            {
                first = await FrameReader.ReadAsync(connection.Input, _options.FrameBytesMax, deadline.Token);
            }
            catch (FrameFormatException e)
            {
                await RefuseAsync(connection.Output, remote, $"malformed handshake: {e.Message}");
                return NodeId.None;
            }
            catch (OperationCanceledException) when (deadline.Expired(cancel.Token))
            {
                await RefuseAsync(connection.Output, remote, $"no handshake within {_options.HandshakeTimeoutMs} ms");
                return NodeId.None;
            }
        }
        var reason = first switch
        {
            null => "closed before the handshake",
            not HandshakeFrame => $"expected a handshake, got {first.Type}",
            HandshakeFrame h when h.ProtocolVersion != WireLimits.ProtocolVersion =>
                $"protocol version {h.ProtocolVersion}, this node speaks {WireLimits.ProtocolVersion}",
            HandshakeFrame h when h.ClusterId != _options.ClusterId => $"cluster id '{h.ClusterId}', this node is in '{_options.ClusterId}'",
            HandshakeFrame h when h.NodeId == LocalId => $"node id {h.NodeId} is this node's own id",
            _ => null,
        };
        IPeerFrameHandler? handler;
        lock (_gate) handler = _state == State.Running ? _handler : null;
        if (reason is null && handler is null) reason = "this node's transport is not running";
        if (reason is not null)
        {
            await RefuseAsync(connection.Output, remote, reason);
            return NodeId.None;
        }

        var peer = ((HandshakeFrame)first!).NodeId;
        CancellationTokenSource? replaced;
        lock (_gate)
        {
            _inbound.TryGetValue(peer, out replaced);
            _inbound[peer] = cancel;
        }
        // Only one inbound connection per peer: the newest wins, so a reconnecting peer is never read twice.
        if (replaced is not null) await CancelQuietlyAsync(replaced);
        await WriteAckAsync(connection.Output, new HandshakeAckFrame(true, LocalId, ""), cancel.Token);
        TransportLog.Accepted(_logger, remote, peer);
        return peer;
    }

    private async Task ReceiveAsync(PipeReader input, string remote, NodeId peer, CancellationToken cancel)
    {
        while (await FrameReader.ReadAsync(input, _options.FrameBytesMax, cancel) is { } frame)
        {
            var violation = InboundValidation.Check(peer, LocalId, frame);
            if (violation is not null) throw new FrameFormatException(violation);
            Interlocked.Increment(ref _framesReceived);
            IPeerFrameHandler? handler;
            lock (_gate) handler = _state == State.Running ? _handler : null;
            if (handler is null) return;
            try
            {
                handler.OnFrame(peer, frame);
            }
            catch (Exception e) when (e is not InvariantViolationException)
            {
                TransportLog.HandlerFailed(_logger, remote, peer, e);
                return;
            }
        }
    }

    private async Task RefuseAsync(PipeWriter output, string remote, string reason)
    {
        Interlocked.Increment(ref _handshakesRefused);
        TransportLog.HandshakeRefused(_logger, remote, reason);
        var text = Truncate(reason, WireLimits.ReasonBytesMax);
        using var deadline = new Deadline(_time, _options.HandshakeTimeoutMs, CancellationToken.None);
        try
        {
            await WriteAckAsync(output, new HandshakeAckFrame(false, LocalId, text), deadline.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Best effort: the connection is closed either way.
        }
    }

    /// <summary>Cancels a connection's token; it may already be disposed by a connection that just ended.</summary>
    private static async Task CancelQuietlyAsync(CancellationTokenSource connection)
    {
        try
        {
            await connection.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static async Task WriteAckAsync(PipeWriter output, HandshakeAckFrame ack, CancellationToken cancel)
    {
        FrameCodec.Write(output, ack);
        await output.FlushAsync(cancel);
    }

    /// <summary>Cuts a reason to the wire limit on a character boundary (peer-supplied text may be long).</summary>
    private static string Truncate(string text, int bytesMax)
    {
        var s = text;
        while (WireWriter.Utf8Bytes(s) is var n && (n < 0 || n > bytesMax)) s = s[..(s.Length * 3 / 4)];
        return s;
    }
}

using System.IO.Pipelines;
using System.Net.Sockets;
using Cairn.Transport.Wire;

namespace Cairn.Transport.Tcp;

/// <summary>The peer answered the handshake with a refusal, or with something that is not a valid acceptance.</summary>
internal sealed class HandshakeRefusedException(string reason) : Exception(reason);

/// <summary>
/// One outbound TCP connection, past its handshake: a <see cref="PipeWriter"/> for frames and a watcher that notices
/// when the peer closes it (the acceptor never writes after its ack, so any read completing means the link is over).
/// </summary>
internal sealed class OutboundConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly CancellationTokenSource _closed = new();
    private Task _watcher = Task.CompletedTask;

    private OutboundConnection(Socket socket, Stream stream, PipeWriter writer, PipeReader reader)
    {
        _socket = socket;
        _stream = stream;
        Writer = writer;
        _reader = reader;
    }

    public PipeWriter Writer { get; }

    /// <summary>Cancelled when the peer closes the connection, sends anything, or the connection is disposed.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>Connects, sends the handshake and checks the ack: the acceptor must accept and be <paramref name="expectedPeer"/>.</summary>
    public static async Task<OutboundConnection> OpenAsync(NodeId expectedPeer, PeerAddress address, HandshakeFrame handshake,
        TransportOptions options, TimeProvider time, CancellationToken stop)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        OutboundConnection? connection = null;
        try
        {
            using (var connect = new Deadline(time, options.ConnectTimeoutMs, stop))
            {
                try
                {
                    await socket.ConnectAsync(address.Host, address.Port, connect.Token);
                }
                catch (OperationCanceledException) when (connect.Expired(stop))
                {
                    throw new TimeoutException($"connect timed out after {options.ConnectTimeoutMs} ms");
                }
            }
            var stream = new NetworkStream(socket, ownsSocket: true);
            connection = new OutboundConnection(socket, stream,
                PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024, leaveOpen: true)),
                PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true)));
            await connection.HandshakeAsync(expectedPeer, handshake, options, time, stop);
            connection._watcher = Task.Run(connection.WatchAsync, CancellationToken.None);
            return connection;
        }
        catch
        {
            if (connection is not null) await connection.DisposeAsync();
            else socket.Dispose();
            throw;
        }
    }

    private async Task HandshakeAsync(NodeId expectedPeer, HandshakeFrame handshake, TransportOptions options, TimeProvider time,
        CancellationToken stop)
    {
        using var deadline = new Deadline(time, options.HandshakeTimeoutMs, stop);
        try
        {
            FrameCodec.Write(Writer, handshake);
            await Writer.FlushAsync(deadline.Token);
            var answer = await FrameReader.ReadAsync(_reader, options.FrameBytesMax, deadline.Token);
            if (answer is not HandshakeAckFrame ack)
                throw new HandshakeRefusedException(answer is null ? "closed without an answer" : $"answered with {answer.Type}");
            if (!ack.Accepted) throw new HandshakeRefusedException(ack.Reason);
            if (ack.NodeId != expectedPeer) throw new HandshakeRefusedException($"expected node {expectedPeer} there, found {ack.NodeId}");
        }
        catch (OperationCanceledException) when (deadline.Expired(stop))
        {
            throw new TimeoutException($"no handshake answer within {options.HandshakeTimeoutMs} ms");
        }
    }

    private async Task WatchAsync()
    {
        try
        {
            var result = await _reader.ReadAsync(_closed.Token);
            _reader.AdvanceTo(result.Buffer.End);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or SocketException)
        {
        }
        finally
        {
            // Any outcome ends the link: data after the ack breaks the protocol, completion means the peer closed.
            await _closed.CancelAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Close the socket first: completing the writer flushes what is buffered, which must not wait on a dead peer.
        _socket.Dispose();
        await _closed.CancelAsync();
        await _watcher;
        try
        {
            await Writer.CompleteAsync();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or OperationCanceledException)
        {
        }
        await _reader.CompleteAsync();
        await _stream.DisposeAsync();
        _closed.Dispose();
    }
}

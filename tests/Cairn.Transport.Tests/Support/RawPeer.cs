using System.Buffers;
using System.Net.Sockets;
using Cairn.Transport.Wire;

namespace Cairn.Transport.Tests.Support;

/// <summary>A hand-driven TCP client, to send what a correct transport never would.</summary>
internal sealed class RawPeer : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly List<byte> _received = [];

    private RawPeer(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public static async Task<RawPeer> ConnectAsync(int port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", port);
        return new RawPeer(socket);
    }

    /// <summary>The server side of a connection accepted by a test's own listener.</summary>
    public static RawPeer FromAccepted(Socket socket) => new(socket);

    public async Task SendAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    public Task SendAsync(Frame frame)
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameCodec.Write(writer, frame);
        return SendAsync(writer.WrittenSpan.ToArray());
    }

    /// <summary>The next frame, or null when the server closed the connection first.</summary>
    public async Task<Frame?> ReadFrameAsync()
    {
        using var timeout = new CancellationTokenSource(ReadTimeout);
        var chunk = new byte[4096];
        while (true)
        {
            var buffer = new ReadOnlySequence<byte>(_received.ToArray());
            if (FrameCodec.TryReadFrame(ref buffer, WireLimits.FrameBytesMaxDefault, out var frame))
            {
                _received.RemoveRange(0, _received.Count - (int)buffer.Length);
                return frame;
            }
            var n = await _stream.ReadAsync(chunk, timeout.Token);
            if (n == 0) return null;
            _received.AddRange(chunk.AsSpan(0, n).ToArray());
        }
    }

    /// <summary>True when the server closes the connection (read returns 0 or resets) before the timeout.</summary>
    public async Task<bool> IsClosedByServerAsync()
    {
        using var timeout = new CancellationTokenSource(ReadTimeout);
        var chunk = new byte[4096];
        try
        {
            while (true)
            {
                if (await _stream.ReadAsync(chunk, timeout.Token) == 0) return true;
            }
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cairn.FaultTests.Hostile;

/// <summary>Raw TCP to a node's HTTP or peer port, for requests no HTTP client would send. Every read is bounded by a timeout.</summary>
public sealed class RawSocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };

    public static async Task<RawSocket> ConnectAsync(int port)
    {
        var raw = new RawSocket();
        await raw._socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return raw;
    }

    /// <summary>Sends bytes; false when the peer already closed the connection.</summary>
    public async Task<bool> SendAsync(byte[] bytes)
    {
        try
        {
            await _socket.SendAsync(bytes, SocketFlags.None);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public Task<bool> SendAsync(string ascii) => SendAsync(Encoding.ASCII.GetBytes(ascii));

    /// <summary>Reads until the peer closes (or resets) the connection or <paramref name="timeout"/> passes: what arrived, whether it closed, when.</summary>
    public async Task<(string Received, bool Closed, TimeSpan After)> ReadUntilClosedAsync(TimeSpan timeout, int bytesMax = 1 << 20)
    {
        var clock = Stopwatch.StartNew();
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (received.Length < bytesMax)
            {
                var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                if (n == 0) return (Text(received), true, clock.Elapsed);
                received.Write(buffer, 0, n);
            }
            return (Text(received), false, clock.Elapsed);
        }
        catch (SocketException)
        {
            return (Text(received), true, clock.Elapsed);
        }
        catch (OperationCanceledException)
        {
            return (Text(received), false, clock.Elapsed);
        }
    }

    /// <summary>Reads one HTTP response head (status line and headers) within <paramref name="timeout"/>; null when none came.</summary>
    public async Task<string?> ReadResponseHeadAsync(TimeSpan timeout)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                if (n == 0) break;
                received.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
        }
        return received.Length == 0 ? null : received.ToString();
    }

    public void Dispose() => _socket.Dispose();

    private static string Text(MemoryStream bytes) => Encoding.ASCII.GetString(bytes.GetBuffer(), 0, (int)bytes.Length);
}

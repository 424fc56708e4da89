using System.Net;
using System.Net.Sockets;

namespace Cairn.SystemTests.Harness;

/// <summary>
/// A userspace TCP relay for ONE directed peer link (from → to): the sender's --peers entry for the receiver points
/// here, and each accepted connection is piped to the receiver's real peer port. The transport opens one connection
/// per direction (replies travel on the replier's own connection), so cutting this relay silences exactly from → to.
/// <see cref="Cut"/> closes every live connection and refuses new ones (accepted, then closed at once);
/// <see cref="Heal"/> lets new connections through again.
/// </summary>
/// <remarks>Thread-safe: the accept loop and the pumps run on the thread pool; Cut/Heal may be called from any thread.</remarks>
public sealed partial class PeerRelay : IAsyncDisposable
{
    private const int BufferBytes = 64 * 1024;

    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<Socket> _live = [];
    private readonly Lock _gate = new();
    private readonly Task _accepting;
    private bool _cut;

    public PeerRelay(string from, string to, int targetPort)
    {
        From = from;
        To = to;
        _targetPort = targetPort;
        // The kernel may offer a port FreePorts already gave a node that has not bound it yet: take another then.
        while (true)
        {
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            if (FreePorts.TryClaim(Port)) break;
            _listener.Stop();
        }
        _accepting = AcceptLoopAsync();
    }

    public string From { get; }

    public string To { get; }

    public int Port { get; }

    public bool IsCut
    {
        get
        {
            lock (_gate) return _cut;
        }
    }

    /// <summary>Connections accepted while cut (each one a refused reconnect attempt).</summary>
    public int Refused { get; private set; }

    public void Cut()
    {
        Socket[] live;
        lock (_gate)
        {
            _cut = true;
            live = [.. _live];
            _live.Clear();
        }
        foreach (var s in live) Close(s);
    }

    public void Heal()
    {
        lock (_gate) _cut = false;
    }

    public override string ToString() => $"{From}->{To} :{Port}{(IsCut ? " CUT" : "")}";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Cut();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        if (!TryRegister(client, upstream))
        {
            Close(client);
            Close(upstream);
            return;
        }
        try
        {
            await upstream.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _targetPort), _stop.Token);
            var a = IsShaped ? ShapedPumpAsync(client, upstream) : PumpAsync(client, upstream);
            var b = PumpAsync(upstream, client);
            await Task.WhenAny(a, b);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            lock (_gate)
            {
                _live.Remove(client);
                _live.Remove(upstream);
            }
            Close(client);
            Close(upstream);
        }
    }

    private bool TryRegister(Socket client, Socket upstream)
    {
        lock (_gate)
        {
            if (_cut)
            {
                Refused++;
                return false;
            }
            _live.Add(client);
            _live.Add(upstream);
            return true;
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[BufferBytes];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0) return;
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private static void Close(Socket socket)
    {
        try
        {
            socket.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}

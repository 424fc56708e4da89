using System.Net;
using System.Net.Sockets;

namespace Cairn.SystemTests.Harness;

/// <summary>Ports for the nodes: the kernel picks one (bind 127.0.0.1:0), the harness remembers it so it is never handed out twice.</summary>
public static class FreePorts
{
    private static readonly HashSet<int> Given = [];
    private static readonly Lock Gate = new();

    public static int Next()
    {
        lock (Gate)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (Given.Add(port)) return port;
            }
        }
    }

    /// <summary>
    /// Records a port some listener got from the kernel (bind :0), so it is never handed out to a node too; false when
    /// it was already handed out (its node has not bound it yet): the caller binds again.
    /// </summary>
    public static bool TryClaim(int port)
    {
        lock (Gate) return Given.Add(port);
    }

    /// <summary>
    /// A base port B for <c>cairn dev</c> such that B, B+1..B+n and B+101..B+100+n can all be bound now. Searched
    /// below the kernel's ephemeral range so outgoing connections do not take them meanwhile.
    /// </summary>
    public static int DevBase(int nodes)
    {
        lock (Gate)
        {
            for (var attempt = 0; attempt < 200; attempt++)
            {
                var candidate = Random.Shared.Next(20_000, 30_000);
                int[] ports = [candidate, .. Enumerable.Range(1, nodes).SelectMany(i => new[] { candidate + i, candidate + 100 + i })];
                if (ports.Any(Given.Contains) || !ports.All(CanBind)) continue;
                foreach (var p in ports) Given.Add(p);
                return candidate;
            }
            throw new InvalidOperationException("no free port range for cairn dev between 20000 and 30000");
        }
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

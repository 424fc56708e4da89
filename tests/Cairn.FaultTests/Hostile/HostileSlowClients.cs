namespace Cairn.FaultTests.Hostile;

/// <summary>
/// HTTP abuse that needs raw sockets (S12): clients that drip their headers one byte at a time, a body announced far
/// larger than the limit, a garbage request line, broken chunked encoding. Stateless.
/// </summary>
public static class HostileSlowClients
{
    /// <summary>
    /// Opens <paramref name="count"/> connections that send a request line and then one header byte every
    /// <paramref name="drip"/>; returns, per connection, whether the server closed it (with or without a 408) within
    /// <paramref name="bound"/>, and what it answered.
    /// </summary>
    public static async Task<IReadOnlyList<(bool Closed, TimeSpan After, string Answer)>> DripAsync(int port, int count, TimeSpan drip, TimeSpan bound)
    {
        return await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            using var socket = await RawSocket.ConnectAsync(port);
            await socket.SendAsync($"GET /healthz HTTP/1.1\r\nHost: slow{i}\r\nX-Slow: ");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed < bound)
            {
                await Task.Delay(drip); // the attack's pace: one byte per interval
                if (!await socket.SendAsync("a")) break;
            }
            var (received, closed, _) = await socket.ReadUntilClosedAsync(TimeSpan.FromSeconds(2));
            var firstLine = received.Split("\r\n")[0];
            return (closed, clock.Elapsed, firstLine.Length == 0 ? "(closed without an answer)" : firstLine);
        }));
    }

    /// <summary>Raw requests and the status each must get (Kestrel answers the framing errors itself, so no problem+json there).</summary>
    public static IReadOnlyList<(string Label, string Request, int Status)> RawCases() =>
    [
        ("Content-Length of 100 MB, no body sent", "PUT /v1/_kv/hostile/cl HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: 104857600\r\n\r\n", 413),
        ("garbage request line", "HELLO THERE\r\n\r\n", 400),
        ("broken chunked encoding", "PUT /v1/_kv/hostile/ch HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nxx\r\n0\r\n\r\n", 400),
        ("a NUL byte in the request target", "GET /v1/_kv/a\0b HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("header line without a colon", "GET /healthz HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n", 400),
    ];

    /// <summary>Sends one raw request and returns the status code of the answer (0 when none came within the bound).</summary>
    public static async Task<(int Status, string Head)> SendRawAsync(int port, string request)
    {
        using var socket = await RawSocket.ConnectAsync(port);
        await socket.SendAsync(request);
        var head = await socket.ReadResponseHeadAsync(TimeSpan.FromSeconds(10)) ?? "";
        var parts = head.Split(' ', 3);
        return (parts.Length >= 2 && int.TryParse(parts[1], out var status) ? status : 0, head.Split("\r\n")[0]);
    }
}

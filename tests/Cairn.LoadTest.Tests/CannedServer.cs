using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cairn.LoadTest.Tests;

/// <summary>
/// A raw TCP server answering each request (read up to its headers and Content-Length body)
/// with the next canned answer; a null answer means "never answer" (the connection stays open
/// and the next request comes on a new one).
/// </summary>
internal sealed class CannedServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Queue<string?> _answers;
    private readonly List<string> _requests = [];
    private readonly List<TcpClient> _clients = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _connections;

    public CannedServer(params string?[] answers)
    {
        _answers = new Queue<string?>(answers);
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _loop = AcceptLoopAsync();
    }

    public Uri Address { get; }
    public bool CloseAfterLast { get; init; }
    public bool CloseAfterFirst { get; init; }

    /// <summary>Completes when the server has closed the connection of its first answer (with <see cref="CloseAfterFirst"/>).</summary>
    public Task FirstClosed => _firstClosed.Task;

    private readonly TaskCompletionSource _firstClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _answered;
    public int Connections => Volatile.Read(ref _connections);

    public List<string> Requests
    {
        get { lock (_requests) return [.. _requests]; }
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                lock (_clients) _clients.Add(client);
                _ = ServeAsync(client);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        var stream = client.GetStream();
        var buffer = new List<byte>();
        var chunk = new byte[8192];
        try
        {
            while (true)
            {
                int end;
                while ((end = IndexOf(buffer, "\r\n\r\n"u8.ToArray())) < 0)
                {
                    var n = await stream.ReadAsync(chunk, _stop.Token);
                    if (n == 0) return;
                    buffer.AddRange(chunk.AsSpan(0, n));
                }
                var head = Encoding.ASCII.GetString(buffer.GetRange(0, end + 4).ToArray());
                var length = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) is { } cl
                    ? int.Parse(cl["Content-Length:".Length..].Trim()) : 0;
                while (buffer.Count < end + 4 + length)
                {
                    var n = await stream.ReadAsync(chunk, _stop.Token);
                    if (n == 0) return;
                    buffer.AddRange(chunk.AsSpan(0, n));
                }
                lock (_requests) _requests.Add(Encoding.ASCII.GetString(buffer.GetRange(0, end + 4 + length).ToArray()));
                buffer.RemoveRange(0, end + 4 + length);
                string? answer;
                bool last;
                lock (_answers)
                {
                    answer = _answers.Count > 0 ? _answers.Dequeue() : null;
                    last = _answers.Count == 0;
                }
                if (answer is null) continue; // stay silent on this request
                await stream.WriteAsync(Encoding.ASCII.GetBytes(answer), _stop.Token);
                if (Interlocked.Increment(ref _answered) == 1 && CloseAfterFirst)
                {
                    client.Close();
                    _firstClosed.SetResult();
                    return;
                }
                if (answer.Contains("Connection: close", StringComparison.Ordinal) || answer.StartsWith("HTTP/1.0", StringComparison.Ordinal) || (last && CloseAfterLast))
                {
                    client.Close();
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }

    private static int IndexOf(List<byte> haystack, byte[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Count; i++)
        {
            var match = true;
            for (var j = 0; j < needle.Length && match; j++) match = haystack[i + j] == needle[j];
            if (match) return i;
        }
        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        lock (_clients) foreach (var c in _clients) c.Dispose();
        _stop.Dispose();
    }
}

using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Cairn.LoadTest;

/// <summary>The three methods the load tester sends.</summary>
public enum BenchMethod
{
    Get,
    Put,
    Post,
}

/// <summary>
/// One worker's HTTP/1.1 connection to one server, written on a bare socket: the request is
/// encoded straight into a reusable buffer and the answer parsed from one, so a request costs
/// the load generator a few microseconds of its own (HttpClient spent about three times what
/// wrk does per request, on a box where the load generator shares the two cores with the
/// server). It speaks just what Cairn answers: keep-alive, Content-Length or chunked bodies,
/// ETag, problem+json; plain http only. Any failure closes the socket; the next request
/// reconnects.
/// </summary>
/// <remarks>Not thread-safe: one worker uses it, one request at a time.</remarks>
public sealed partial class BenchConnection : IDisposable
{
    /// <summary>Answers longer than this are read and discarded past this size rather than kept.</summary>
    public const int ResponseBytesMax = 4 << 20;

    /// <summary>A status line plus headers longer than this is a protocol error.</summary>
    public const int HeaderBytesMax = 64 << 10;

    /// <summary>By default, a connection idle longer than this is checked for a close by the server before it is reused.</summary>
    public static readonly TimeSpan IdleCheckAfterDefault = TimeSpan.FromSeconds(1);

    private readonly string _host;
    private readonly int _port;
    private readonly byte[] _hostHeader;
    private readonly TimeSpan _timeout;
    private readonly long _idleCheckAfterMs;
    private readonly CancellationToken _run;
    private CancellationTokenSource _deadline;
    private Socket? _socket;
    private long _lastUsed;
    private byte[] _send = new byte[4096];
    private byte[] _recv = new byte[16 * 1024];
    private int _recvStart;
    private int _recvEnd;
    private byte[] _body = new byte[16 * 1024];
    private int _bodyLength;

    public BenchConnection(Uri server, TimeSpan timeout, CancellationToken run, TimeSpan? idleCheckAfter = null)
    {
        _idleCheckAfterMs = (long)(idleCheckAfter ?? IdleCheckAfterDefault).TotalMilliseconds;
        Invariant.Check(server.Scheme == Uri.UriSchemeHttp, "the load tester speaks plain http");
        _host = server.IdnHost;
        _port = server.Port;
        _hostHeader = System.Text.Encoding.ASCII.GetBytes("Host: " + server.Authority + "\r\n");
        _timeout = timeout;
        _run = run;
        _deadline = CancellationTokenSource.CreateLinkedTokenSource(run);
    }

    /// <summary>The body of the last answer (valid until the next request).</summary>
    public ReadOnlySpan<byte> Body(in HttpOutcome outcome) => _body.AsSpan(0, outcome.BodyLength);

    /// <summary>Sends one request and reads the whole answer. Never throws for HTTP or network failures.</summary>
    /// <param name="target">Path and query, already escaped: <c>/v1/bench/k00042?consistency=stale</c>.</param>
    /// <param name="ifMatch">A revision for <c>If-Match: "N"</c>, or 0 for none.</param>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<HttpOutcome> SendAsync(BenchMethod method, string target, ReadOnlyMemory<byte> body = default,
        string? contentType = null, long ifMatch = 0, bool ifNoneMatchAny = false)
    {
        _deadline.CancelAfter(_timeout);
        var ct = _deadline.Token;
        if (_socket is not null && ClosedWhileIdle()) Close();
        var connecting = _socket is null;
        try
        {
            if (_socket is null) await ConnectAsync(ct);
            connecting = false;
            var length = EncodeRequest(method, target, body.Span, contentType, ifMatch, ifNoneMatchAny);
            for (var sent = 0; sent < length;) sent += await _socket!.SendAsync(_send.AsMemory(sent, length - sent), SocketFlags.None, ct);
            var (status, revision, close) = await ReadResponseAsync(ct);
            _lastUsed = Environment.TickCount64;
            if (close) Close();
            if (status is >= 200 and < 300) return new HttpOutcome(FailureKind.None, status, revision, _bodyLength, null);
            return new HttpOutcome(FailureKind.Status, status, revision, _bodyLength, ProblemType(_body.AsSpan(0, _bodyLength)));
        }
        catch (OperationCanceledException)
        {
            Close();
            return new HttpOutcome(_run.IsCancellationRequested ? FailureKind.Cancelled : FailureKind.Timeout, 0, 0, 0, null);
        }
        catch (SocketException e)
        {
            Close();
            return Transport(connecting ? $"ConnectionError ({e.SocketErrorCode})" : e.SocketErrorCode.ToString());
        }
        catch (ResponseException e)
        {
            Close();
            return Transport(e.Message);
        }
        finally
        {
            // A fired timer cannot be re-armed: replace the source (rare: only after a timeout).
            if (!_deadline.TryReset())
            {
                _deadline.Dispose();
                _deadline = CancellationTokenSource.CreateLinkedTokenSource(_run);
            }
        }
    }

    /// <summary>
    /// Whether the server closed this keep-alive connection while it sat idle (Kestrel does after
    /// two minutes). Sending on it would fail with no way to tell whether the request was applied;
    /// a readable socket with nothing to read is a close, so reconnect first, like HttpClient's pool.
    /// </summary>
    private bool ClosedWhileIdle()
    {
        if (Environment.TickCount64 - _lastUsed < _idleCheckAfterMs) return false;
        try
        {
            return _socket!.Poll(0, SelectMode.SelectRead) && _socket.Available == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private static HttpOutcome Transport(string detail) => new(FailureKind.Transport, 0, 0, 0, detail);

    private async ValueTask ConnectAsync(CancellationToken ct)
    {
        var addresses = IPAddress.TryParse(_host, out var ip) ? [ip] : await Dns.GetHostAddressesAsync(_host, ct);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, _port), ct);
                _socket = socket;
                _recvStart = _recvEnd = 0;
                return;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    private void Close()
    {
        _socket?.Dispose();
        _socket = null;
        _recvStart = _recvEnd = 0;
    }

    public void Dispose()
    {
        Close();
        _deadline.Dispose();
    }

    /// <summary>A malformed or truncated answer; the message is the error kind's detail.</summary>
    private sealed class ResponseException(string message) : Exception(message);
}

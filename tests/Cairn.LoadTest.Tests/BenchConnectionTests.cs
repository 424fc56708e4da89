using System.Text;

namespace Cairn.LoadTest.Tests;

/// <summary>The bare-socket HTTP/1.1 client against canned answers from a raw TCP server.</summary>
public sealed class BenchConnectionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ContentLengthAnswers_AreReadOnOneKeptAliveConnection_WithTheirRevision()
    {
        await using var server = new CannedServer(
            "HTTP/1.1 200 OK\r\nETag: \"42\"\r\nContent-Length: 5\r\n\r\nhello",
            "HTTP/1.1 201 Created\r\ncontent-length: 2\r\netag:  \"43\" \r\n\r\n{}");
        using var connection = new BenchConnection(server.Address, Timeout, default);

        var first = await connection.SendAsync(BenchMethod.Get, "/v1/bench/k00001?consistency=stale");
        Assert.True(first.IsSuccess);
        Assert.Equal(42, first.Revision);
        Assert.Equal("hello", Encoding.ASCII.GetString(connection.Body(first)));

        var second = await connection.SendAsync(BenchMethod.Put, "/v1/bench/k00001", "{\"a\":1}"u8.ToArray(), "application/json", ifMatch: 42);
        Assert.Equal(201, second.Status);
        Assert.Equal(43, second.Revision);
        Assert.Equal(1, server.Connections);

        var requests = server.Requests;
        Assert.StartsWith("GET /v1/bench/k00001?consistency=stale HTTP/1.1\r\nHost: 127.0.0.1:", requests[0], StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Type: application/json\r\nContent-Length: 7\r\nIf-Match: \"42\"\r\n\r\n{\"a\":1}", requests[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChunkedAnswers_WithExtensionsAndTrailers_AreDecoded()
    {
        await using var server = new CannedServer(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nabcd\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n",
            "HTTP/1.1 204 No Content\r\n\r\n");
        using var connection = new BenchConnection(server.Address, Timeout, default);

        var first = await connection.SendAsync(BenchMethod.Post, "/v1/bench", "{}"u8.ToArray(), "application/json");
        Assert.Equal("abcd0123456789", Encoding.ASCII.GetString(connection.Body(first)));
        var second = await connection.SendAsync(BenchMethod.Get, "/x");
        Assert.Equal(204, second.Status);
        Assert.Equal(0, second.BodyLength);
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task ConnectionClose_AndBodiesWithoutLength_ReconnectForTheNextRequest()
    {
        await using var server = new CannedServer(
            "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na",
            "HTTP/1.0 200 OK\r\n\r\nuntil the end",
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nc");
        using var connection = new BenchConnection(server.Address, Timeout, default);

        foreach (var (path, expected) in new[] { ("/1", "a"), ("/2", "until the end"), ("/3", "c") })
        {
            var outcome = await connection.SendAsync(BenchMethod.Get, path);
            Assert.True(outcome.IsSuccess, $"{path}: {outcome.ErrorKind()}");
            Assert.Equal(expected, Encoding.ASCII.GetString(connection.Body(outcome)));
        }
        Assert.Equal(3, server.Connections);
    }

    [Fact]
    public async Task AConnectionTheServerClosedWhileIdle_IsReplacedBeforeTheNextRequest()
    {
        // The server closes after its first answer without saying so (Kestrel's keep-alive timeout).
        await using var server = new CannedServer("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb")
        {
            CloseAfterFirst = true,
        };
        using var connection = new BenchConnection(server.Address, Timeout, default, idleCheckAfter: TimeSpan.Zero);

        Assert.True((await connection.SendAsync(BenchMethod.Get, "/1")).IsSuccess);
        await server.FirstClosed.WaitAsync(Timeout);
        var second = await connection.SendAsync(BenchMethod.Put, "/2", "{}"u8.ToArray(), "application/json");
        Assert.True(second.IsSuccess, second.ErrorKind());
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task ProblemAnswers_CarryTheirProblemType()
    {
        const string problem = "{\"type\":\"urn:cairn:problem:precondition-failed\",\"status\":412,\"currentRevision\":9}";
        await using var server = new CannedServer($"HTTP/1.1 412 Precondition Failed\r\nContent-Type: application/problem+json\r\nContent-Length: {problem.Length}\r\n\r\n{problem}");
        using var connection = new BenchConnection(server.Address, Timeout, default);

        var outcome = await connection.SendAsync(BenchMethod.Put, "/v1/bench/k", "{}"u8.ToArray(), "application/json", ifNoneMatchAny: true);
        Assert.Equal(FailureKind.Status, outcome.Failure);
        Assert.Equal("412 precondition-failed", outcome.ErrorKind());
        Assert.False(outcome.OutcomeUnknown);
        Assert.Contains("If-None-Match: *\r\n", server.Requests[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("HTTP/1.1 2OO OK\r\n\r\n", "InvalidResponse (status line)")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "ResponseEnded")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "InvalidResponse (chunk size)")]
    [InlineData("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "InvalidResponse (header line)")]
    public async Task MalformedOrTruncatedAnswers_AreTransportErrors_WithAnOutcomeUnknown(string answer, string detail)
    {
        await using var server = new CannedServer(answer) { CloseAfterLast = true };
        using var connection = new BenchConnection(server.Address, Timeout, default);

        var outcome = await connection.SendAsync(BenchMethod.Put, "/v1/bench/k", "{}"u8.ToArray(), "application/json");
        Assert.Equal(FailureKind.Transport, outcome.Failure);
        Assert.Equal("transport: " + detail, outcome.ErrorKind());
        Assert.True(outcome.OutcomeUnknown);
    }

    [Fact]
    public async Task BodiesBeyondTheLimit_AreDrained_AndTheConnectionStaysUsable()
    {
        var big = new string('x', BenchConnection.ResponseBytesMax + 1000);
        await using var server = new CannedServer($"HTTP/1.1 200 OK\r\nContent-Length: {big.Length}\r\n\r\n{big}", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        using var connection = new BenchConnection(server.Address, Timeout, default);

        var first = await connection.SendAsync(BenchMethod.Get, "/big");
        Assert.Equal(BenchConnection.ResponseBytesMax, first.BodyLength);
        Assert.Equal("ok", Encoding.ASCII.GetString(connection.Body(await connection.SendAsync(BenchMethod.Get, "/small"))));
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task NoAnswerWithinTheTimeout_IsATimeout_AndTheNextRequestReconnects()
    {
        await using var server = new CannedServer(null, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        using var connection = new BenchConnection(server.Address, TimeSpan.FromSeconds(1), default);

        Assert.Equal(FailureKind.Timeout, (await connection.SendAsync(BenchMethod.Get, "/silent")).Failure);
        Assert.True((await connection.SendAsync(BenchMethod.Get, "/fine")).IsSuccess);
        Assert.Equal(2, server.Connections);
    }
}

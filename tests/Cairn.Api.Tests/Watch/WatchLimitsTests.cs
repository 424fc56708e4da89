using System.Net;
using System.Net.WebSockets;
using static Cairn.Api.Tests.ApiServer;

namespace Cairn.Api.Tests.Watch;

/// <summary>Refusals: bad parameters, wrong transport, too many watchers — each a problem+json answer that changes nothing.</summary>
public sealed class WatchLimitsTests
{
    [Theory]
    [InlineData("?colection=a", "invalid-parameter")]
    [InlineData("?collection=a&collection=b", "invalid-parameter")]
    [InlineData("?id=1", "invalid-parameter")]
    [InlineData("?key=k&collection=a", "invalid-parameter")]
    [InlineData("?prefix=p&id=1&collection=a", "invalid-parameter")]
    [InlineData("?collection=Not_Valid", "invalid-name")]
    [InlineData("?collection=_reserved", "invalid-name")]
    [InlineData("?collection=a&id=", "invalid-key")]
    [InlineData("?key=", "invalid-key")]
    [InlineData("?fromRevision=-1", "invalid-parameter")]
    [InlineData("?fromRevision=abc", "invalid-parameter")]
    [InlineData("?fromRevision=", "invalid-parameter")]
    [InlineData("?values=maybe", "invalid-parameter")]
    [InlineData("?consistency=eventual", "invalid-parameter")]
    [InlineData("?consistency=stale&minRevision=3", "invalid-parameter")]
    public async Task BadParameters_AreRefusedWith400ProblemJson(string query, string type)
    {
        await using var node = await TestNode.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/_watch" + query);
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await node.Http.SendAsync(request);
        await AssertProblemAsync(response, 400, type);
        Assert.Equal(0, node.Feed.WatcherCount);
    }

    [Fact]
    public async Task AKeyTooLong_IsRefused()
    {
        await using var node = await TestNode.StartAsync("Cairn:Api:KeyBytesMax=8");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/_watch?prefix=123456789");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await node.Http.SendAsync(request);
        await AssertProblemAsync(response, 400, "invalid-key");
    }

    [Fact]
    public async Task AGarbledLastEventId_IsRefused()
    {
        await using var node = await TestNode.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/_watch");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.TryAddWithoutValidation("Last-Event-ID", "12abc");
        using var response = await node.Http.SendAsync(request);
        await AssertProblemAsync(response, 400, "invalid-header");
    }

    [Fact]
    public async Task APlainRequest_IsToldToAskForAnEventStreamOrAWebSocket()
    {
        await using var node = await TestNode.StartAsync();
        using var response = await node.Http.GetAsync("/v1/_watch");
        var body = await AssertProblemAsync(response, 400, "invalid-header");
        Assert.Contains("text/event-stream", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, node.Feed.WatcherCount);
    }

    [Fact]
    public async Task AWebSocketUpgradeWithBadParameters_GetsTheProblemInsteadOfAnUpgrade()
    {
        await using var node = await TestNode.StartAsync();
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        var uri = new UriBuilder(node.Address) { Scheme = "ws", Path = "/v1/_watch", Query = "id=1" }.Uri;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(uri, CancellationToken.None));
        Assert.Equal(HttpStatusCode.BadRequest, socket.HttpStatusCode);
    }

    [Fact]
    public async Task MoreWatchersThanWatchersMax_Get503_UntilOneLeaves()
    {
        await using var node = await TestNode.StartAsync("Cairn:Watch:WatchersMax=2");
        var a = await WatchConnection.OpenAsync(false, node.Address, "");
        await using var b = await WatchConnection.OpenAsync(true, node.Address, "");
        await a.UntilAsync(m => m.Type == "start");
        await b.UntilAsync(m => m.Type == "start");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/_watch");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var refused = await node.Http.SendAsync(request);
        var problem = await AssertProblemAsync(refused, 503, "unavailable");
        Assert.Equal("overloaded", problem.GetProperty("reason").GetString());
        Assert.True(problem.GetProperty("retryable").GetBoolean());
        Assert.NotNull(refused.Headers.RetryAfter);

        await a.DisposeAsync();
        await ChangeFeedTests.WaitUntilAsync(() => node.Feed.WatcherCount < 2, "the closed watcher to be unregistered");
        await using var c = await WatchConnection.OpenAsync(false, node.Address, "");
        await c.UntilAsync(m => m.Type == "start");
    }

    [Theory]
    [InlineData("Cairn:Watch:WatchersMax=0")]
    [InlineData("Cairn:Watch:QueueEventsMax=0")]
    [InlineData("Cairn:Watch:ProgressIntervalMs=1")]
    [InlineData("Cairn:Watch:SendTimeoutMs=5")]
    [InlineData("Cairn:Watch:HistoryEventsMax=0")]
    [InlineData("Cairn:Watch:HistoryBytesMax=10")]
    public async Task OutOfRangeOptions_StopTheNodeAtStart(string setting)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () => await (await TestNode.StartAsync(setting)).DisposeAsync());
        Assert.Contains(setting.Split(':')[2].Split('=')[0], error.Message, StringComparison.Ordinal);
    }
}

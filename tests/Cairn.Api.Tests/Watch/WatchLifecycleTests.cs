using System.Net.WebSockets;

namespace Cairn.Api.Tests.Watch;

/// <summary>Watches end cleanly when their node stops or their client leaves, and free their slot.</summary>
public sealed class WatchLifecycleTests
{
    [Fact]
    public async Task StoppingTheNode_EndsEveryOpenWatch_WebSocketsWithGoingAway()
    {
        var node = await TestNode.StartAsync();
        var ws = (WebSocketConnection)await WatchConnection.OpenAsync(true, node.Address, "");
        var sse = await WatchConnection.OpenAsync(false, node.Address, "");
        await ws.UntilAsync(m => m.Type == "start");
        await sse.UntilAsync(m => m.Type == "start");

        var stopping = node.DisposeAsync().AsTask();
        Assert.Null(await ws.NextAsync());
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, ws.Socket.CloseStatus);
        Assert.Null(await sse.NextAsync());
        await stopping.WaitAsync(TimeSpan.FromSeconds(60));
        await ws.DisposeAsync();
        await sse.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AClientThatLeaves_FreesItsWatcherSlot(bool webSocket)
    {
        await using var node = await TestNode.StartAsync();
        var w = await WatchConnection.OpenAsync(webSocket, node.Address, "?collection=a");
        await w.UntilAsync(m => m.Type == "start");
        Assert.Equal(1, node.Feed.WatcherCount);
        await w.DisposeAsync();
        await ChangeFeedTests.WaitUntilAsync(() => node.Feed.WatcherCount == 0, "the watcher to be unregistered");
        await node.PutDocAsync("a", "after"); // nothing is queued for a watcher that left
        Assert.Empty(node.Feed.Watchers);
    }
}

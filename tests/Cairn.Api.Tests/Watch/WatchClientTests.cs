using Cairn.Client;

namespace Cairn.Api.Tests.Watch;

/// <summary>Cairn.Client's watch: an async sequence of events that resumes by itself after the network drops.</summary>
public sealed class WatchClientTests
{
    [Theory]
    [InlineData(WatchTransport.ServerSentEvents)]
    [InlineData(WatchTransport.WebSocket)]
    public async Task AfterTheConnectionIsCut_TheClientResumes_LosingAndRepeatingNothing(WatchTransport transport)
    {
        await using var node = await TestNode.StartAsync();
        await using var proxy = new CuttableProxy(node.Address);
        using var client = new CairnClient(proxy.Address);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var written = new List<long>();
        var changes = new List<WatchEvent>();
        var starts = 0;

        await foreach (var e in client.WatchAsync(new WatchRequest { Collection = "c", Values = true, Transport = transport }, stop.Token))
        {
            if (e.Type == WatchEventType.Start && ++starts == 1)
            {
                for (var i = 0; i < 5; i++) written.Add(await node.PutDocAsync("c", $"d{i}", $$"""{"i":{{i}}}"""));
            }
            if (!e.IsChange) continue;
            changes.Add(e);
            if (changes.Count == 3 && proxy.Cuts == 0)
            {
                proxy.CutAll();
                for (var i = 5; i < 10; i++) written.Add(await node.PutDocAsync("c", $"d{i}", $$"""{"i":{{i}}}"""));
            }
            if (changes.Count == 10) break;
        }

        Assert.Equal(written, changes.Select(c => c.Revision));
        Assert.True(starts >= 2, "the client reconnected");
        Assert.Equal("""{"i":9}""", changes[^1].ValueText);
    }

    [Fact]
    public async Task AReconnectPastTheHistory_DeliversASnapshotThatRebuildsTheState()
    {
        await using var node = await TestNode.StartAsync("Cairn:Watch:HistoryEventsMax=5");
        await using var proxy = new CuttableProxy(node.Address);
        using var client = new CairnClient(proxy.Address);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var state = new Dictionary<string, string?>();
        long last = 0;
        var snapshots = 0;

        await foreach (var e in client.WatchAsync(new WatchRequest { Collection = "s", Values = true }, stop.Token))
        {
            switch (e.Type)
            {
                case WatchEventType.Start when proxy.Cuts == 0:
                    await node.PutDocAsync("s", "a", """{"v":1}""");
                    break;
                case WatchEventType.SnapshotBegin:
                    state.Clear();
                    snapshots++;
                    break;
                case WatchEventType.Put:
                    state[e.Id!] = e.ValueText;
                    break;
                case WatchEventType.Delete:
                    state.Remove(e.Id!);
                    break;
            }
            if (e.IsChange && proxy.Cuts == 0)
            {
                proxy.CutAll();
                for (var i = 0; i < 20; i++) await node.PutDocAsync("s", $"x{i % 4}", $$"""{"i":{{i}}}""");
                await node.DeleteDocAsync("s", "a");
                last = await node.PutDocAsync("s", "end", "{}");
            }
            if (e.Type == WatchEventType.SnapshotEnd && e.Revision >= last && last > 0) break;
            if (e.IsChange && e.Revision == last) break;
        }

        var expected = (await node.CollectionAsync("s")).ToDictionary(kv => kv.Key["s/".Length..], kv => (string?)kv.Value.Value);
        Assert.Equal(expected, state);
        Assert.Equal(1, snapshots);
    }

    [Fact]
    public void ADisconnectInsideATransaction_ResumesBeforeIt_AndDropsTheChangesAlreadyDelivered()
    {
        var resume = new WatchResume(null);
        Assert.False(resume.Skip(Event(WatchEventType.Start, 4)));
        Assert.False(resume.Skip(Event(WatchEventType.Put, 5)));
        Assert.Equal(5, resume.After);
        Assert.False(resume.Skip(Event(WatchEventType.Put, 6, more: true, id: "a")));
        Assert.False(resume.Skip(Event(WatchEventType.Put, 6, more: true, id: "b")));
        Assert.Equal(5, resume.After); // revision 6 is not complete yet

        // Reconnected after 5: the server replays revision 6 whole.
        Assert.False(resume.Skip(Event(WatchEventType.Start, 5)));
        Assert.True(resume.Skip(Event(WatchEventType.Put, 6, more: true, id: "a")));
        Assert.True(resume.Skip(Event(WatchEventType.Put, 6, more: true, id: "b")));
        Assert.False(resume.Skip(Event(WatchEventType.Delete, 6, id: "c")));
        Assert.Equal(6, resume.After);
        Assert.False(resume.Skip(Event(WatchEventType.Put, 7)));

        // A later reconnect skips nothing.
        Assert.False(resume.Skip(Event(WatchEventType.Start, 7)));
        Assert.False(resume.Skip(Event(WatchEventType.Put, 8)));
    }

    [Fact]
    public void ADisconnectInsideATransaction_ThatResumesWithASnapshot_SkipsNothing()
    {
        var resume = new WatchResume(0);
        resume.Skip(Event(WatchEventType.Put, 3, more: true, id: "a"));
        Assert.False(resume.Skip(Event(WatchEventType.Start, 2)));
        Assert.False(resume.Skip(Event(WatchEventType.SnapshotBegin, 9)));
        Assert.False(resume.Skip(Event(WatchEventType.Put, 3, id: "a", snapshot: true)));
        Assert.False(resume.Skip(Event(WatchEventType.SnapshotEnd, 9)));
        Assert.Equal(9, resume.After);
        Assert.False(resume.Skip(Event(WatchEventType.Put, 10)));
    }

    private static WatchEvent Event(WatchEventType type, long revision, bool more = false, string id = "x", bool snapshot = false) =>
        new(type, revision, "c", id, null, 0, snapshot, more, null, "{}");

    [Fact]
    public async Task ARefusedWatch_ThrowsTheProblem_WithoutRetrying()
    {
        await using var node = await TestNode.StartAsync();
        using var client = new CairnClient(node.Address);
        var error = await Assert.ThrowsAsync<CairnException>(async () =>
        {
            await foreach (var _ in client.WatchAsync(new WatchRequest { Id = "orphan" })) { }
        });
        Assert.Equal(400, error.Status);
        Assert.Equal("invalid-parameter", error.ProblemType);
    }
}

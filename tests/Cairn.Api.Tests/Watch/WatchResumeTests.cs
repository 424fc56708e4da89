namespace Cairn.Api.Tests.Watch;

/// <summary>Disconnects and resumes over both transports: from the history, and from before it (the snapshot path).</summary>
public sealed class WatchResumeTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DisconnectThenResume_LosesNothing_AndRepeatsNothing(bool webSocket)
    {
        await using var node = await TestNode.StartAsync();
        var written = new List<long>();
        for (var i = 0; i < 10; i++) written.Add(await node.PutDocAsync("r", $"d{i}"));
        await node.PutDocAsync("other", "x");

        var first = await WatchConnection.OpenAsync(webSocket, node.Address, "?collection=r&fromRevision=0");
        await first.UntilRevisionAsync(written[4]);
        var resumeAt = first.LastResumeId!.Value;
        var firstChanges = first.Received.Where(m => m.IsChange).Select(m => m.Revision).ToList();
        await first.DisposeAsync();

        for (var i = 10; i < 20; i++) written.Add(await node.PutDocAsync("r", $"d{i}"));
        // An EventSource reconnects to its original URL and adds Last-Event-ID, which wins over fromRevision.
        await using var second = webSocket
            ? await WatchConnection.OpenAsync(true, node.Address, $"?collection=r&fromRevision={resumeAt}")
            : await WatchConnection.OpenAsync(false, node.Address, "?collection=r&fromRevision=0", lastEventId: resumeAt);
        await second.UntilRevisionAsync(written[^1]);

        var all = firstChanges.Concat(second.Received.Where(m => m.IsChange).Select(m => m.Revision)).ToList();
        Assert.Equal(written, all);
        Assert.Equal(resumeAt, second.Received[0].Revision);
        Assert.DoesNotContain(second.Received, m => m.Type == "snapshot-begin");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ResumeFromACompactedRevision_TakesTheSnapshotPath_AndEndsWithTheStateOfAFreshRead(bool webSocket)
    {
        await using var node = await TestNode.StartAsync("Cairn:Watch:HistoryEventsMax=10");
        await using (var early = await WatchConnection.OpenAsync(webSocket, node.Address, "?collection=s"))
        {
            await early.UntilAsync(m => m.Type == "start");
        }
        for (var i = 0; i < 60; i++)
        {
            await node.PutDocAsync("s", $"d{i % 17}", $$"""{"i":{{i}}}""");
            if (i % 4 == 0) await node.DeleteDocAsync("s", $"d{i % 17}");
            await node.PutKeyAsync($"noise{i}", "x");
        }
        var revision = await node.RevisionAsync();
        Assert.True(node.Feed.Store.OldestRetainedRevision > 1);

        await using var w = await WatchConnection.OpenAsync(webSocket, node.Address, "?collection=s&values=true&fromRevision=1");
        await w.UntilAsync(m => m.Type == "snapshot-end");
        var begin = w.Received.Single(m => m.Type == "snapshot-begin");
        Assert.Equal("compacted", begin.Json.GetProperty("reason").GetString());
        Assert.InRange(begin.Revision, revision, long.MaxValue);
        Assert.Null(begin.ResumeId); // nobody can resume inside a snapshot

        var after = await node.PutDocAsync("s", "late", """{"late":true}""");
        await w.UntilRevisionAsync(after);
        var state = new ClientState();
        foreach (var m in w.Received) state.Apply(m);
        Assert.Equal(await node.CollectionAsync("s"), state.Items);
        Assert.Equal([after], w.Received.Where(m => m.IsChange).Select(m => m.Revision));
    }
}

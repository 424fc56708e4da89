using Cairn.Client;
using Cairn.SystemTests.Durability;
using Cairn.SystemTests.Harness;

namespace Cairn.SystemTests.Watch;

/// <summary>
/// Issue 7's acceptance on a real cluster: watchers over SSE and WebSocket, on the leader and on followers, while many
/// clients write to two collections through every node; the leader is SIGKILLed mid-stream and the writes go on.
/// Every watcher's changes are exactly the documents its filter matches in the final state (which holds every
/// acknowledged write; an outcome-unknown write counts only if it is there), each at its revision, in revision order,
/// with no gap and no duplicate — including the watchers that were on the killed leader and resumed on another node
/// (Cairn.Client with fromRevision, or a raw EventSource with Last-Event-ID).
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class ClusterWatchTests(ITestOutputHelper output)
{
    private static readonly string[] Collections = ["wa", "wb"];

    [Fact]
    public async Task Watchers_SeeExactlyTheAcknowledgedWrites_InOrder_AcrossALeaderKill()
    {
        var spec = new ClusterSpec { ExtraArgs = ["--Cairn:Watch:ProgressIntervalMs=200"] };
        await using var cluster = await TestCluster.StartAsync("watch-cluster", spec);
        var leader = await cluster.WaitForLeaderAsync();
        var followers = cluster.Names.Where(n => n != leader).ToList();
        var (f1, f2) = (followers[0], followers[1]);
        IReadOnlyList<string> From(string first) => [first, .. cluster.Names.Where(n => n != first)];
        List<ClusterWatcher> watchers =
        [
            new ClientWatcher($"{leader}(leader)/client-sse/all", cluster, From(leader), null, WatchTransport.ServerSentEvents),
            new EventSourceWatcher($"{leader}(leader)/eventsource/wa", cluster, From(leader), "wa"),
            new ClientWatcher($"{leader}(leader)/client-ws/wb", cluster, From(leader), "wb", WatchTransport.WebSocket),
            new ClientWatcher($"{f1}/client-ws/wa", cluster, From(f1), "wa", WatchTransport.WebSocket),
            new EventSourceWatcher($"{f1}/eventsource/wb", cluster, From(f1), "wb"),
            new ClientWatcher($"{f2}/client-sse/wb", cluster, From(f2), "wb", WatchTransport.ServerSentEvents),
        ];
        await using var wa = new AckedWriter(cluster, [.. cluster.Names, .. cluster.Names], "wa");
        await using var wb = new AckedWriter(cluster, [.. cluster.Names, .. cluster.Names], "wb");
        try
        {
            await Scenario.RunAsync(cluster, async () =>
            {
                foreach (var w in watchers) w.Start();
                await Task.WhenAll(watchers.Select(w => w.Started)).WaitAsync(TestCluster.DefaultWait);
                wa.Start();
                wb.Start();
                await AckedAsync(wa, wb, 150);

                await cluster[leader].KillAsync();
                output.WriteLine($"SIGKILL leader {leader} after {wa.Acked.Count + wb.Acked.Count} acknowledged writes");
                var newLeader = await cluster.WaitForLeaderAsync(among: followers, not: leader);
                await AckedAsync(wa, wb, wa.Acked.Count + wb.Acked.Count + 150, TimeSpan.FromSeconds(30));
                await wa.StopAsync();
                await wb.StopAsync();
                Assert.Empty(wa.Errors.Concat(wb.Errors));
                var revision = await cluster.WaitConvergedAsync(among: followers);
                output.WriteLine($"{newLeader} leads; writes stopped; {string.Join(",", followers)} converged at revision {revision}");

                var final = new Dictionary<string, Dictionary<string, (string Json, long Revision)>>();
                foreach (var c in Collections) final[c] = (await AckCheck.ReadCollectionAsync(cluster.Client(newLeader), c)).Documents;
                output.WriteLine($"wa: {await AckCheck.AssertAckedPresentAsync(cluster, newLeader, wa)}");
                output.WriteLine($"wb: {await AckCheck.AssertAckedPresentAsync(cluster, newLeader, wb)}");
                await Poll.UntilAsync($"every watcher delivered up to {revision}", TestCluster.DefaultWait, () =>
                    Task.FromResult((watchers.All(w => w.ResumePoint >= revision), string.Join(" | ", watchers))));
                foreach (var w in watchers) output.WriteLine(w.ToString());
                foreach (var w in watchers) AssertExact(w, final, leader);
            });
        }
        finally
        {
            foreach (var w in watchers) await w.DisposeAsync();
        }
    }

    private static void AssertExact(ClusterWatcher w, Dictionary<string, Dictionary<string, (string Json, long Revision)>> final, string killed)
    {
        var changes = w.Changes;
        Assert.True(w.SnapshotsSeen == 0, $"{w.Label} was resynchronized by a snapshot (nothing here compacts its history): {w}");
        for (var i = 1; i < changes.Count; i++)
        {
            Assert.True(changes[i].Revision > changes[i - 1].Revision,
                $"{w.Label}: revision {changes[i].Revision} ({changes[i].Collection}/{changes[i].Id}{changes[i].Key} from {changes[i].Node}) " +
                $"after {changes[i - 1].Revision} ({changes[i - 1].Collection}/{changes[i - 1].Id}{changes[i - 1].Key} from {changes[i - 1].Node}): out of order or repeated");
        }
        foreach (var c in w.Collection is { } only ? [only] : Collections)
        {
            var seen = changes.Where(x => x.Collection == c).Select(x => (x.Id!, x.Revision, x.Type)).ToHashSet();
            var expected = final[c].Select(d => (d.Key, d.Value.Revision, "put")).ToHashSet();
            var missing = expected.Except(seen).OrderBy(x => x.Item2).ToList();
            var extra = seen.Except(expected).OrderBy(x => x.Item2).ToList();
            Assert.True(missing.Count == 0 && extra.Count == 0,
                $"{w.Label} on {c}: {missing.Count} changes missing (gap) [{string.Join(", ", missing.Take(10))}], " +
                $"{extra.Count} not in the final state [{string.Join(", ", extra.Take(10))}]; {w}");
        }
        if (w.Connections.Count > 1 || w.Connections[0].StartsWith(killed, StringComparison.Ordinal))
            Assert.True(w.Connections.Count > 1 && !w.Connections[^1].StartsWith(killed, StringComparison.Ordinal), $"{w.Label} never moved off {killed}: {w}");
    }

    private static Task AckedAsync(AckedWriter a, AckedWriter b, int total, TimeSpan? timeout = null) =>
        Poll.UntilAsync($"{total} writes acknowledged", timeout ?? TestCluster.DefaultWait,
            () => Task.FromResult((a.Acked.Count + b.Acked.Count >= total, $"{a.Acked.Count} + {b.Acked.Count} acknowledged")));
}

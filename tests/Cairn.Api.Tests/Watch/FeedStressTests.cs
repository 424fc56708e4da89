using Cairn.Api.Watch;
using Cairn.Store;

namespace Cairn.Api.Tests.Watch;

/// <summary>The hand-offs between history replay, snapshots and live queues, under a writer that never stops.</summary>
public sealed class FeedStressTests
{
    private static readonly WatchFilter[] Filters =
    [
        WatchFilter.All,
        WatchFilter.ForCollection("a"),
        WatchFilter.ForDocument("b", "3"),
        WatchFilter.ForKey("k/1"),
        WatchFilter.ForPrefix("k/"),
        WatchFilter.ForPrefix(""),
    ];

    [Theory]
    [InlineData(4096, 100_000)] // roomy queues: live delivery
    [InlineData(3, 100_000)]    // tiny queues: overflow and history replay over and over
    [InlineData(3, 40)]         // tiny queues and history: snapshots
    public async Task WatchersStartedAtRandomPoints_SeeExactlyTheMatchingChanges_OnceAndInOrder(int queueEventsMax, int historyEventsMax)
    {
        using var h = new FeedHarness(new WatchOptions { QueueEventsMax = queueEventsMax }, StoreLimits.Default with { HistoryEventsMax = historyEventsMax });
        var random = new Random(queueEventsMax * 7919 + historyEventsMax);
        var watchers = new List<(WatchFilter Filter, long Start, Running Run)>();
        const int Writes = 3000;
        for (var i = 0; i < Writes; i++)
        {
            WriteRandom(h, random);
            if (i % 300 == 0)
            {
                foreach (var f in Filters) watchers.Add((f, h.Feed.PublishedRevision, h.Watch(f)));
            }
        }
        var end = h.Store.AppliedRevision;
        h.Clock.Advance(TimeSpan.FromMilliseconds(h.Options.ProgressIntervalMs)); // filters that saw nothing lately learn they are current
        try
        {
            foreach (var (filter, start, run) in watchers)
            {
                var messages = await run.UntilAsync(end);
                var state = run.State();
                Assert.Equal(h.Expected(filter), state.Items);
                if (!messages.Any(m => m.Type == "snapshot-begin"))
                {
                    // Without a snapshot, the changes must be exactly the history's matching events after the start.
                    var changes = messages.Where(m => m.IsChange).Select(m => (m.Revision, m.Target, m.Type)).ToList();
                    Assert.Equal(changes.Distinct().Count(), changes.Count);
                    Assert.True(changes.Select(c => c.Revision).SequenceEqual(changes.Select(c => c.Revision).Order()), "in revision order");
                    if (h.Store.TryGetEventsAfter(start, int.MaxValue, out var history))
                    {
                        var expected = history.Where(filter.Matches)
                            .Select(e => (e.Revision, e.Collection is null ? e.Key : $"{e.Collection}/{e.Key}", e.Type.ToString().ToLowerInvariant()));
                        Assert.Equal(expected, changes);
                    }
                }
            }
        }
        finally
        {
            foreach (var (_, _, run) in watchers) await run.DisposeAsync();
        }
    }

    private static void WriteRandom(FeedHarness h, Random random)
    {
        var id = random.Next(6).ToString();
        switch (random.Next(7))
        {
            case 0: h.PutDoc("a", id, $$"""{"r":{{random.Next(100)}}}"""); break;
            case 1: h.PutDoc("b", id); break;
            case 2: h.Apply(new DocDelete(random.Next(2) == 0 ? "a" : "b", id, default)); break;
            case 3: h.PutKey("k/" + id, "v" + random.Next(100)); break;
            case 4: h.Apply(new KvDelete("k/" + id, default)); break;
            case 5: h.PutKey("z" + id, "v"); break;
            default:
                h.Apply(new Txn([], [
                    new TxnOp.Write(new DocPut("a", id, "{}"u8.ToArray(), default)),
                    new TxnOp.Write(new KvPut("k/" + id, "t"u8.ToArray(), null, default)),
                    new TxnOp.Write(new DocPut("b", "3", "{}"u8.ToArray(), default)),
                ], []));
                break;
        }
    }
}

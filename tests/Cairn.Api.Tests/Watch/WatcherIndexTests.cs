using Cairn.Api.Watch;
using Cairn.Store;

namespace Cairn.Api.Tests.Watch;

public sealed class WatcherIndexTests
{
    [Fact]
    public void TheIndex_VisitsExactlyTheWatchersWhoseFilterMatches()
    {
        var random = new Random(42);
        string Name() => new[] { "a", "b", "ab", "k/", "k/1", "k/12", "x" }[random.Next(7)];
        var watchers = Enumerable.Range(0, 200).Select(_ => new Watcher(random.Next(5) switch
        {
            0 => WatchFilter.All,
            1 => WatchFilter.ForCollection(Name()),
            2 => WatchFilter.ForDocument(Name(), Name()),
            3 => WatchFilter.ForKey(Name()),
            _ => WatchFilter.ForPrefix(random.Next(4) == 0 ? "" : Name()),
        }, 16, () => { })).ToList();
        var index = new WatcherIndex(watchers);

        for (var i = 0; i < 2000; i++)
        {
            var e = new ChangeEvent(i + 1, ChangeType.Put, random.Next(2) == 0 ? null : Name(), Name(), default, 0);
            var visited = new List<Watcher>();
            index.ForEachMatch(e, visited, static (w, _, list) => list.Add(w));
            Assert.Equal(visited.Count, visited.Distinct().Count());
            Assert.Equal(watchers.Where(w => w.Filter.Matches(e)).ToHashSet(), visited.ToHashSet());
        }
    }

    [Theory]
    [InlineData(WatchFilterKind.Collection, "a", null, "a", "1", true)]
    [InlineData(WatchFilterKind.Collection, "a", null, null, "a", false)]
    [InlineData(WatchFilterKind.Document, "a", "1", "a", "1", true)]
    [InlineData(WatchFilterKind.Document, "a", "1", "a", "10", false)]
    [InlineData(WatchFilterKind.Key, null, "k", null, "k", true)]
    [InlineData(WatchFilterKind.Key, null, "k", "k", "k", false)]
    [InlineData(WatchFilterKind.Prefix, null, "k/", null, "k/x", true)]
    [InlineData(WatchFilterKind.Prefix, null, "k/", "k", "k/x", false)]
    [InlineData(WatchFilterKind.Prefix, null, "", null, "anything", true)]
    public void Filters_Match(WatchFilterKind kind, string? collection, string? key, string? eventCollection, string eventKey, bool matches) =>
        Assert.Equal(matches, Make(kind, collection, key).Matches(new ChangeEvent(1, ChangeType.Put, eventCollection, eventKey, default, 0)));

    private static WatchFilter Make(WatchFilterKind kind, string? collection, string? key) => kind switch
    {
        WatchFilterKind.Collection => WatchFilter.ForCollection(collection!),
        WatchFilterKind.Document => WatchFilter.ForDocument(collection!, key!),
        WatchFilterKind.Key => WatchFilter.ForKey(key!),
        WatchFilterKind.Prefix => WatchFilter.ForPrefix(key!),
        _ => WatchFilter.All,
    };
}

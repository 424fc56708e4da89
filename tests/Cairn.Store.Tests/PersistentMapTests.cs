using Cairn.Store.Collections;

namespace Cairn.Store.Tests;

public sealed class PersistentMapTests
{
    private static PersistentMap<string, int> Empty() => PersistentMap<string, int>.Empty(StringComparer.Ordinal);

    [Fact]
    public void RandomInsertsAndRemoves_MatchASortedDictionary_AndKeepTreeInvariants()
    {
        var rng = new Random(7);
        var map = Empty();
        var model = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (var step = 0; step < 20_000; step++)
        {
            var key = $"k{rng.Next(3000):D4}";
            if (rng.Next(3) == 0)
            {
                map = map.Remove(key, out var removed);
                Assert.Equal(model.Remove(key), removed);
            }
            else
            {
                map = map.SetItem(key, step, out var added);
                Assert.Equal(!model.ContainsKey(key), added);
                model[key] = step;
            }
            if (step % 1000 == 0) map.CheckInvariants();
        }
        map.CheckInvariants();
        Assert.Equal(model.Count, map.Count);
        Assert.Equal(model.ToList(), map.All().ToList());
        foreach (var (k, v) in model)
        {
            Assert.True(map.TryGetValue(k, out var got));
            Assert.Equal(v, got);
        }
    }

    [Fact]
    public void RemovingEverything_InRandomOrder_LeavesAnEmptyMap()
    {
        var rng = new Random(3);
        var keys = Enumerable.Range(0, 5000).Select(i => $"key{i}").ToList();
        var map = Empty();
        foreach (var k in keys) map = map.SetItem(k, 1);
        foreach (var k in keys.OrderBy(_ => rng.Next()))
        {
            map = map.Remove(k, out var removed);
            Assert.True(removed);
        }
        map.CheckInvariants();
        Assert.True(map.IsEmpty);
        Assert.Empty(map.All());
    }

    [Fact]
    public void Changes_LeaveEarlierVersionsUntouched()
    {
        var v1 = Empty();
        for (var i = 0; i < 1000; i++) v1 = v1.SetItem($"{i:D4}", i);
        var v2 = v1.SetItem("0500", -1).Remove("0001");
        Assert.True(v1.TryGetValue("0500", out var old));
        Assert.Equal(500, old);
        Assert.True(v1.ContainsKey("0001"));
        Assert.Equal(1000, v1.Count);
        Assert.Equal(999, v2.Count);
        Assert.True(v2.TryGetValue("0500", out var changed));
        Assert.Equal(-1, changed);
    }

    [Fact]
    public void FromAndAfter_SeekToTheRightEntry_AcrossLeafBoundaries()
    {
        var map = Empty();
        for (var i = 0; i < 2000; i += 2) map = map.SetItem($"{i:D5}", i);
        for (var probe = -1; probe <= 2001; probe += 7)
        {
            var key = $"{probe:D5}";
            var expectedFrom = Enumerable.Range(0, 1000).Select(i => i * 2).Where(i => string.CompareOrdinal($"{i:D5}", key) >= 0).Take(40);
            var expectedAfter = Enumerable.Range(0, 1000).Select(i => i * 2).Where(i => string.CompareOrdinal($"{i:D5}", key) > 0).Take(40);
            Assert.Equal(expectedFrom, map.From(key).Take(40).Select(e => e.Value));
            Assert.Equal(expectedAfter, map.After(key).Take(40).Select(e => e.Value));
        }
        Assert.Equal([100, 102], map.After("00098").Take(2).Select(e => e.Value));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(1025)]
    [InlineData(40_000)]
    public void SortedBuilder_BuildsAValidTree_ThatLaterChangesKeepValid(int count)
    {
        var builder = new PersistentMap<string, int>.SortedBuilder(StringComparer.Ordinal);
        for (var i = 0; i < count; i++) Assert.True(builder.TryAdd($"{i:D6}", i));
        var map = builder.Build();
        map.CheckInvariants();
        Assert.Equal(count, map.Count);
        Assert.Equal(Enumerable.Range(0, count), map.All().Select(e => e.Value));
        for (var i = 0; i < count; i += 3) map = map.Remove($"{i:D6}");
        map = map.SetItem("zzz", -1);
        map.CheckInvariants();
    }

    [Fact]
    public void SortedBuilder_RefusesKeysOutOfOrder()
    {
        var builder = new PersistentMap<string, int>.SortedBuilder(StringComparer.Ordinal);
        Assert.True(builder.TryAdd("b", 1));
        Assert.False(builder.TryAdd("b", 2));
        Assert.False(builder.TryAdd("a", 3));
        Assert.True(builder.TryAdd("c", 4));
        Assert.Equal(["b", "c"], builder.Build().All().Select(e => e.Key));
    }

    [Fact]
    public void TryGetFirst_ReturnsTheSmallestKey()
    {
        var map = Empty();
        Assert.False(map.TryGetFirst(out _, out _));
        foreach (var k in new[] { "m", "c", "x", "a" }) map = map.SetItem(k, k[0]);
        Assert.True(map.TryGetFirst(out var key, out var value));
        Assert.Equal("a", key);
        Assert.Equal('a', value);
    }
}

using System.Text;

namespace Cairn.LoadTest.Tests;

public sealed class KeysAndValuesTests
{
    [Fact]
    public void Zipfian_DrawsEachRank_WithItsProbability()
    {
        var zipf = new ZipfianGenerator(1000, 0.99);
        var random = new Random(11);
        var counts = new int[1000];
        const int draws = 200_000;
        for (var i = 0; i < draws; i++) counts[zipf.Next(random)]++;
        foreach (var rank in new[] { 0, 1, 2, 9, 99 })
        {
            var expected = zipf.Probability(rank) * draws;
            // Gray's method is approximate beyond the first two ranks; 15 % plus sampling noise.
            Assert.True(Math.Abs(counts[rank] - expected) <= expected * 0.15 + 4 * Math.Sqrt(expected),
                $"rank {rank}: {counts[rank]} draws, expected {expected:F0}");
        }
        Assert.True(counts[0] > counts[10] * 5, "rank 0 is the hottest key");
    }

    [Fact]
    public void Values_HaveTheRequestedSize_AndCarryTheirTag()
    {
        var buffer = new byte[Values.BufferBytes(100)];
        var tag = new byte[Values.TagBytesMax];
        var tagLength = Values.FormatTag(tag, "abc123"u8, 7, 42);
        Assert.Equal("abc123.7.42", Encoding.ASCII.GetString(tag, 0, tagLength));

        var length = Values.Write(buffer, tag.AsSpan(0, tagLength), 100);
        Assert.Equal(100, length);
        var body = buffer.AsSpan(0, length);
        Assert.Equal("abc123.7.42", Values.TagOf(body));
        Assert.True(Values.Matches(body, "abc123.7.42", 100));
        Assert.False(Values.Matches(body, "abc123.7.43", 100));
        using var json = System.Text.Json.JsonDocument.Parse(buffer.AsMemory(0, length));
        Assert.Equal("abc123.7.42", json.RootElement.GetProperty("w").GetString());
    }

    [Fact]
    public void Values_SmallerThanTheirTag_GrowToFitIt()
    {
        var buffer = new byte[Values.BufferBytes(1)];
        var length = Values.Write(buffer, "r.1.1"u8, 1);
        Assert.Equal("{\"w\":\"r.1.1\"}", Encoding.ASCII.GetString(buffer, 0, length));
    }

    [Fact]
    public void KeySpace_NamesKeysLikeThePeers_AndEscapesThemInUris()
    {
        var options = new BenchOptions { Servers = [new Uri("http://127.0.0.1:7070")], Requests = 1, KeyCount = 10_000 };
        var keys = new KeySpace(options with { Consistency = "stale" });
        Assert.Equal("k00042", keys.Name(42));
        Assert.Equal("/v1/bench/k00042", keys.Path(42));
        Assert.Equal("/v1/bench/k00042?consistency=stale", keys.ReadPath(42));

        var raw = new KeySpace(options with { Target = KeyTarget.Keys, KeyPrefix = "a b/c", KeyCount = 1_000_000 });
        Assert.Equal("a b/c000007", raw.Name(7));
        Assert.Equal("/v1/_kv/a%20b/c000007", raw.Path(7));
    }

    [Fact]
    public void Options_AreValidated_WithReadableMessages()
    {
        var valid = new BenchOptions { Servers = [new Uri("http://127.0.0.1:7070")], Requests = 10 };
        Assert.Empty(valid.Validate());
        Assert.Contains("-n", string.Join(";", (valid with { Requests = null }).Validate()), StringComparison.Ordinal);
        Assert.NotEmpty((valid with { Connections = 0 }).Validate());
        Assert.NotEmpty((valid with { Workload = Workload.Post, Target = KeyTarget.Keys }).Validate());
        Assert.NotEmpty((valid with { Collection = "Bad Name" }).Validate());
        Assert.NotEmpty((valid with { Distribution = KeyDistribution.Zipfian, ZipfTheta = 1.5 }).Validate());
        Assert.NotEmpty((valid with { Check = true, Requests = BenchOptions.CheckOperationsMax + 1L }).Validate());
        Assert.NotEmpty((valid with { Servers = [new Uri("ftp://x")] }).Validate());
        Assert.Throws<ArgumentException>(() => BenchRunner.RunAsync(valid with { RatePerSecond = -1 }).GetAwaiter().GetResult());
    }
}

using System.Text.Json.Nodes;
using Cairn.Store.Json;

namespace Cairn.Store.Tests;

/// <summary>RFC 7396 Appendix A, over the merge function itself (the store additionally requires an object result).</summary>
public sealed class MergePatchRfcTests
{
    [Theory]
    [InlineData("""{"a":"b"}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"b":"c"}""", """{"a":"b","b":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"a":null}""", """{}""")]
    [InlineData("""{"a":"b","b":"c"}""", """{"a":null}""", """{"b":"c"}""")]
    [InlineData("""{"a":["b"]}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"c"}""", """{"a":["b"]}""", """{"a":["b"]}""")]
    [InlineData("""{"a":{"b":"c"}}""", """{"a":{"b":"d","c":null}}""", """{"a":{"b":"d"}}""")]
    [InlineData("""{"a":[{"b":"c"}]}""", """{"a":[1]}""", """{"a":[1]}""")]
    [InlineData("""["a","b"]""", """["c","d"]""", """["c","d"]""")]
    [InlineData("""{"a":"b"}""", """["c"]""", """["c"]""")]
    [InlineData("""{"a":"foo"}""", "null", "null")]
    [InlineData("""{"a":"foo"}""", "\"bar\"", "\"bar\"")]
    [InlineData("""{"e":null}""", """{"a":1}""", """{"e":null,"a":1}""")]
    [InlineData("""[1,2]""", """{"a":"b","c":null}""", """{"a":"b"}""")]
    [InlineData("""{}""", """{"a":{"bb":{"ccc":null}}}""", """{"a":{"bb":{}}}""")]
    public void AppendixA(string target, string patch, string expected)
    {
        var result = JsonRules.Apply(JsonNode.Parse(target), JsonNode.Parse(patch));
        Assert.Equal(expected, StoreHarness.Text(JsonRules.Serialize(result)));
    }

    [Fact]
    public void MergePatch_ThroughTheStore_MatchesAppendixACasesWithObjectResults()
    {
        var h = new StoreHarness();
        h.PutDoc("c", "1", """{"a":{"b":"c"}}""");
        Assert.True(h.Apply(new DocMergePatch("c", "1", StoreHarness.Utf8("""{"a":{"b":"d","c":null}}"""), default)).IsOk);
        Assert.Equal("""{"a":{"b":"d"}}""", StoreHarness.Text(h.Doc("c", "1").Json));
    }
}

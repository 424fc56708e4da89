namespace Cairn.Store.Tests;

public sealed class DocumentTests
{
    [Fact]
    public void Put_StoresTheDocument_WithMetadata_AndReplaceBumpsVersion()
    {
        var h = new StoreHarness();
        var created = h.PutDoc("users", "42", """{"name":"ada"}""");
        var replaced = h.PutDoc("users", "42", """{"name":"grace"}""");

        Assert.Equal(new ItemMeta(1, 1, 1), created.Current!.Meta);
        Assert.Null(created.Previous);
        Assert.Equal(new ItemMeta(1, 2, 2), replaced.Current!.Meta);
        Assert.Equal(new ItemMeta(1, 1, 1), replaced.Previous);
        var doc = h.Doc("users", "42");
        Assert.Equal("""{"name":"grace"}""", StoreHarness.Text(doc.Json));
        Assert.Equal(replaced.Current.Meta, doc.Meta);
        Assert.Equal(1, h.View.DocumentCount);
    }

    [Fact]
    public void DeleteThenPut_StartsANewLife_WithANewCreateRevision()
    {
        var h = new StoreHarness();
        h.PutDoc("c", "1", "{}");
        h.PutDoc("c", "1", """{"x":1}""");
        h.Apply(new DocDelete("c", "1", default));
        var again = h.PutDoc("c", "1", "{}");
        Assert.Equal(new ItemMeta(4, 4, 1), again.Current!.Meta);
    }

    [Fact]
    public void DeletingTheLastDocument_RemovesTheCollection()
    {
        var h = new StoreHarness();
        h.PutDoc("a", "1", "{}");
        h.PutDoc("b", "1", "{}");
        h.PutDoc("b", "2", "{}");
        Assert.Equal([new CollectionInfo("a", 1), new CollectionInfo("b", 2)], h.View.ListCollections());

        h.Apply(new DocDelete("b", "1", default));
        Assert.Equal([new CollectionInfo("a", 1), new CollectionInfo("b", 1)], h.View.ListCollections());
        h.Apply(new DocDelete("b", "2", default));
        Assert.Equal([new CollectionInfo("a", 1)], h.View.ListCollections());
        Assert.Empty(h.View.ListDocuments("b", null, 10));
        Assert.Equal(1, h.View.DocumentCount);
    }

    [Fact]
    public void ListDocuments_PagesInOrdinalIdOrder_StrictlyAfterTheCursor()
    {
        var h = new StoreHarness();
        foreach (var id in new[] { "b", "a", "B", "aa", "c", "_" }) h.PutDoc("c", id, "{}");
        Assert.Equal(["B", "_", "a", "aa", "b", "c"], h.View.ListDocuments("c", null, 100).Select(d => d.Id));
        Assert.Equal(["aa", "b"], h.View.ListDocuments("c", "a", 2).Select(d => d.Id));
        Assert.Equal(["aa", "b", "c"], h.View.ListDocuments("c", "a0", 10).Select(d => d.Id));
        Assert.Empty(h.View.ListDocuments("c", "c", 10));
        Assert.Empty(h.View.ListDocuments("c", null, 0));
        Assert.Empty(h.View.ListDocuments("nope", null, 10));
    }

    [Fact]
    public void DocumentsOfOneCollection_ShareOneNameString()
    {
        var h = new StoreHarness();
        h.PutDoc(new string("users".AsSpan()), "1", "{}");
        h.PutDoc(new string("users".AsSpan()), "2", "{}");
        Assert.Same(h.Doc("users", "1").Collection, h.Doc("users", "2").Collection);
    }

    [Fact]
    public void MergePatch_MergesIntoTheStoredDocument()
    {
        var h = new StoreHarness();
        h.PutDoc("c", "1", """{"a":"b","c":{"d":"e","f":"g"},"n":1.50}""");
        var r = h.Apply(new DocMergePatch("c", "1", StoreHarness.Utf8("""{"a":"z","c":{"f":null},"é":"ü"}"""), Precondition.MustExist));
        Assert.True(r.IsOk);
        Assert.Equal(new ItemMeta(1, 2, 2), r.Current!.Meta);
        // Member order is kept, numbers keep their text, non-ASCII stays UTF-8.
        Assert.Equal("""{"a":"z","c":{"d":"e"},"n":1.50,"é":"ü"}""", StoreHarness.Text(h.Doc("c", "1").Json));
    }

    [Fact]
    public void MergePatch_WhoseResultIsNotAnObject_IsRejected_AndChangesNothing()
    {
        var h = new StoreHarness();
        h.PutDoc("c", "1", """{"a":1}""");
        var r = h.Apply(new DocMergePatch("c", "1", StoreHarness.Utf8("""["not","an","object"]"""), default));
        Assert.Equal(ResultCode.Rejected, r.Code);
        Assert.Contains("object", r.Message);
        Assert.Equal("""{"a":1}""", StoreHarness.Text(h.Doc("c", "1").Json));
    }

    [Fact]
    public void MergePatch_WhoseResultExceedsTheValueLimit_IsRejected()
    {
        var h = new StoreHarness(new StoreLimits { ValueBytesMax = 40 });
        h.PutDoc("c", "1", """{"a":"0123456789"}""");
        var r = h.Apply(new DocMergePatch("c", "1", StoreHarness.Utf8("""{"b":"0123456789012345"}"""), default));
        Assert.Equal(ResultCode.Rejected, r.Code);
        Assert.Contains("limit is 40", r.Message);
        Assert.Equal("""{"a":"0123456789"}""", StoreHarness.Text(h.Doc("c", "1").Json));
    }

    [Fact]
    public void MergePatch_WhoseResultExceedsTheDepthLimit_IsRejected()
    {
        var h = new StoreHarness(new StoreLimits { JsonDepthMax = 3 });
        Assert.True(h.PutDoc("c", "1", """{"a":{"b":{}}}""").IsOk);
        // The patch alone is within the limit (it replaces "b"'s object with a two-level one: depth 4 in the result).
        var r = h.Apply(new DocMergePatch("c", "1", StoreHarness.Utf8("""{"a":{"b":{"c":{}}}}"""), default));
        Assert.Equal(ResultCode.Rejected, r.Code);
        Assert.Contains("deeper than 3", r.Message);
    }

    [Theory]
    [InlineData("[1,2]", "must be a JSON object")]
    [InlineData("\"text\"", "must be a JSON object")]
    [InlineData("{\"a\":", "not valid JSON")]
    [InlineData("{\"a\":1} {}", "not valid JSON")]
    [InlineData("", "empty")]
    [InlineData("{\"a\":[[[[1]]]]}", "deeper than 4")]
    public void Put_OfInvalidJson_IsRejected(string json, string message)
    {
        var h = new StoreHarness(new StoreLimits { JsonDepthMax = 4 });
        var r = h.PutDoc("c", "1", json);
        Assert.Equal(ResultCode.Rejected, r.Code);
        Assert.Contains(message, r.Message);
        Assert.Equal(0, h.View.DocumentCount);
        Assert.Equal(1, h.Revision);
    }

    [Fact]
    public void Put_OfInvalidUtf8InsideAString_IsRejected()
    {
        var h = new StoreHarness();
        var r = h.Apply(new DocPut("c", "1", new byte[] { (byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}' }, default));
        Assert.Equal(ResultCode.Rejected, r.Code);
    }
}

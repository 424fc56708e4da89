namespace Cairn.Store.Tests;

public sealed class DedupSkipAndLimitTests
{
    [Fact]
    public void Retry_WithTheSameRequestId_ReturnsTheRememberedResult_WithoutApplyingAgain()
    {
        var h = new StoreHarness();
        var first = h.Apply(new DocPut("c", "1", StoreHarness.Utf8("{}"), Precondition.MustNotExist), requestId: "req-1");
        h.PutDoc("c", "1", """{"changed":true}"""); // someone else writes in between
        var eventsBefore = h.Events.Count;

        var retry = h.Apply(new DocPut("c", "1", StoreHarness.Utf8("{}"), Precondition.MustNotExist), requestId: "req-1");

        Assert.Equal(3, h.Revision); // the revision still advances
        Assert.Equal((first.Revision, first.Code, first.Current!.Meta, first.Previous), (retry.Revision, retry.Code, retry.Current!.Meta, retry.Previous));
        Assert.Equal(eventsBefore, h.Events.Count);
        Assert.Equal("""{"changed":true}""", StoreHarness.Text(h.Doc("c", "1").Json));
    }

    [Fact]
    public void Retry_OfAFailedCommand_ReturnsTheSameFailure()
    {
        var h = new StoreHarness();
        var first = h.Apply(new KvDelete("missing", Precondition.MustExist), requestId: "r");
        h.PutKey("missing", "now it exists");
        var retry = h.Apply(new KvDelete("missing", Precondition.MustExist), requestId: "r");
        Assert.Equal(ResultCode.NotFound, retry.Code);
        Assert.Equal(first.Revision, retry.Revision);
        Assert.True(h.View.TryGetKey("missing", 0, out _));
    }

    [Fact]
    public void DedupWindow_ForgetsTheOldestIds_FirstInFirstOut()
    {
        var h = new StoreHarness(new StoreLimits { DedupEntriesMax = 2 });
        h.Apply(new KvPut("k", StoreHarness.Utf8("1"), null, default), requestId: "a");
        h.Apply(new KvPut("k", StoreHarness.Utf8("2"), null, default), requestId: "b");
        h.Apply(new KvPut("k", StoreHarness.Utf8("2"), null, default), requestId: "a"); // a hit does not refresh "a"
        h.Apply(new KvPut("k", StoreHarness.Utf8("3"), null, default), requestId: "c"); // evicts "a"

        var a = h.Apply(new KvPut("k", StoreHarness.Utf8("4"), null, default), requestId: "a");
        Assert.Equal(5, a.Revision); // applied again: "a" was forgotten
        var c = h.Apply(new KvPut("k", StoreHarness.Utf8("5"), null, default), requestId: "c");
        Assert.Equal(4, c.Revision); // still remembered
        Assert.Equal(2, h.View.Dedup.Count);
    }

    [Fact]
    public void DedupWindow_KeepsMetadataButNotWrittenBytes_AndKeepsTxnGets()
    {
        var h = new StoreHarness();
        h.PutKey("read", "kept");
        h.Apply(new Txn([], [new TxnOp.Write(new KvPut("w", StoreHarness.Utf8("dropped"), null, default)), new TxnOp.Get(Target.RawKey("read"))], []), requestId: "t");
        var retry = h.Apply(new Txn([], [], []), requestId: "t");
        Assert.Equal(0, retry.Txn!.Results[0].Current!.Key!.Value.Length);
        Assert.Equal(2, retry.Txn.Results[0].Current!.Meta.ModRevision);
        Assert.Equal("kept", StoreHarness.Text(retry.Txn.Results[1].Current!.Key!.Value));
    }

    [Fact]
    public void MalformedRequestId_IsRejected_AndNotRemembered()
    {
        var h = new StoreHarness();
        var r = h.Apply(new KvPut("k", StoreHarness.Utf8("v"), null, default), requestId: "has space");
        Assert.Equal(ResultCode.Rejected, r.Code);
        Assert.Equal(0, h.View.KeyCount);
        Assert.Equal(ResultCode.Rejected, h.Apply(new KvPut("k", StoreHarness.Utf8("v"), null, default), requestId: new string('x', 65)).Code);
        Assert.Equal(0, h.View.Dedup.Count);
    }

    [Fact]
    public void Skip_AdvancesTheRevisionOnly()
    {
        var h = new StoreHarness();
        h.PutKey("k", "v");
        var hash = h.View.ComputeStateHash();
        h.Store.Skip(5);
        Assert.Equal(5, h.Store.AppliedRevision);
        Assert.Equal(hash, h.View.WithRevision(1).ComputeStateHash());
        Assert.Equal(6, h.PutKey("k", "w").Revision);
        Assert.Single(h.Events, e => e.Revision == 6);
    }

    [Fact]
    public void Apply_WithARevisionNotAboveTheLast_IsAProgrammerError()
    {
        var h = new StoreHarness();
        h.Store.Skip(3);
        Assert.Throws<InvariantViolationException>(() => h.Store.Apply(3, new CommandEnvelope(null, new KvDelete("k", default))));
        Assert.Throws<InvariantViolationException>(() => h.Store.Skip(2));
    }

    public static TheoryData<Command, string> OverLimit() => new()
    {
        { new DocPut("Upper", "1", StoreHarness.Utf8("{}"), default), "collection name" },
        { new DocPut("_reserved", "1", StoreHarness.Utf8("{}"), default), "collection name" },
        { new DocPut(new string('a', 65), "1", StoreHarness.Utf8("{}"), default), "collection name" },
        { new DocPut("c", "", StoreHarness.Utf8("{}"), default), "document id is empty" },
        { new DocPut("c", new string('é', 9), StoreHarness.Utf8("{}"), default), "18 bytes" },
        { new DocPut("c", "1", StoreHarness.Utf8("""{"a":"0123456789012345678901234567890123456789"}"""), default), "limit is 32" },
        { new DocMergePatch("c", "1", StoreHarness.Utf8("""{"a":"0123456789012345678901234567890123456789"}"""), default), "limit is 32" },
        { new DocDelete("c", "\u0001", default), "control character" },
        { new KvPut("k", new byte[33], null, default), "limit is 32" },
        { new KvPut("bad\ud800", new byte[1], null, default), "well-formed" },
        { new KvPut("k", new byte[1], null, new Precondition((PreconditionKind)9)), "precondition" },
        { new KvDelete(new string('k', 17), default), "limit is 16" },
    };

    [Theory]
    [MemberData(nameof(OverLimit))]
    public void CommandOverALimit_IsRejectedAtApply_AndStoresNothing(Command command, string message)
    {
        var h = new StoreHarness(new StoreLimits { KeyBytesMax = 16, ValueBytesMax = 32 });
        var r = h.Apply(command);
        Assert.Equal(ResultCode.Rejected, r.Code);
        Assert.Contains(message, r.Message);
        Assert.Equal(0, h.View.DocumentCount + h.View.KeyCount);
        Assert.Empty(h.Events);
        Assert.Equal(1, h.Revision);
    }
}

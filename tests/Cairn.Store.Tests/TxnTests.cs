namespace Cairn.Store.Tests;

public sealed class TxnTests
{
    private static TxnOp.Write Put(string key, string value, Precondition p = default) =>
        new TxnOp.Write(new KvPut(key, StoreHarness.Utf8(value), null, p));

    private static TxnOp.Get Get(string key) => new TxnOp.Get(Target.RawKey(key));

    private static TxnCompare Cmp(Target t, CompareField f, CompareOp op, long n = 0, string? value = null) =>
        new(t, f, op, n, value is null ? default : StoreHarness.Utf8(value));

    [Fact]
    public void CompareHolds_AppliesSuccess_AllWritesAtTheTxnRevision()
    {
        var h = new StoreHarness();
        h.PutKey("a", "1");
        h.Events.Clear();
        var r = h.Apply(new Txn(
            [Cmp(Target.RawKey("a"), CompareField.Value, CompareOp.Equal, value: "1")],
            [Put("a", "2"), new TxnOp.Write(new DocPut("c", "x", StoreHarness.Utf8("{}"), default)), Get("a")],
            [Put("failed", "1")]));

        Assert.True(r.IsOk);
        Assert.True(r.Txn!.Succeeded);
        Assert.Equal(3, r.Txn.Results.Count);
        Assert.All(h.Events, e => Assert.Equal(2, e.Revision));
        Assert.Equal(2, h.Events.Count);
        Assert.Equal(2, h.Doc("c", "x").Meta.ModRevision);
        Assert.False(h.View.TryGetKey("failed", 0, out _));
    }

    [Fact]
    public void CompareFails_AppliesTheFailureBranch()
    {
        var h = new StoreHarness();
        h.PutKey("a", "1");
        var r = h.Apply(new Txn([Cmp(Target.RawKey("a"), CompareField.Version, CompareOp.Greater, 1)], [Put("s", "1")], [Put("f", "1"), Get("a")]));
        Assert.True(r.IsOk);
        Assert.False(r.Txn!.Succeeded);
        Assert.True(h.View.TryGetKey("f", 0, out _));
        Assert.False(h.View.TryGetKey("s", 0, out _));
        Assert.Equal("1", StoreHarness.Text(r.Txn.Results[1].Current!.Key!.Value));
    }

    [Fact]
    public void Get_SeesEarlierWritesOfTheSameBranch()
    {
        var h = new StoreHarness();
        var r = h.Apply(new Txn([], [Get("k"), Put("k", "v"), Get("k"), new TxnOp.Write(new KvDelete("k", default)), Get("k")], []));
        var codes = r.Txn!.Results.Select(x => x.Code).ToList();
        Assert.Equal([ResultCode.NotFound, ResultCode.Ok, ResultCode.Ok, ResultCode.Ok, ResultCode.NotFound], codes);
        Assert.Equal("v", StoreHarness.Text(r.Txn.Results[2].Current!.Key!.Value));
    }

    [Fact]
    public void ComparesReadTheStateBeforeTheTxn()
    {
        var h = new StoreHarness();
        // The success branch creates "k", but compares were all evaluated first: "k" is missing.
        var r = h.Apply(new Txn([Cmp(Target.RawKey("k"), CompareField.Exists, CompareOp.Equal, 0)], [Put("k", "v")], []));
        Assert.True(r.Txn!.Succeeded);
    }

    [Fact]
    public void FailingWritePrecondition_AbortsTheWholeBranch_NothingApplies()
    {
        var h = new StoreHarness();
        h.PutKey("exists", "v");
        var before = h.View;
        var r = h.Apply(new Txn([], [Put("a", "1"), Put("b", "1"), Put("exists", "2", Precondition.MustNotExist), Put("c", "1")], []));

        Assert.Equal(ResultCode.TxnAborted, r.Code);
        Assert.Equal(2, r.Txn!.FailedOpIndex);
        Assert.Equal(ResultCode.AlreadyExists, r.Txn.Results[2].Code);
        Assert.Contains("operation 2", r.Message);
        Assert.Equal(before.ComputeStateHash(), h.View.WithRevision(before.Revision).ComputeStateHash());
        Assert.Equal(2, h.Revision);
        Assert.Single(h.Events); // only the first put, before the txn
    }

    [Fact]
    public void MergePatchOfAMissingDocument_AbortsTheTxn()
    {
        var h = new StoreHarness();
        var r = h.Apply(new Txn([], [Put("a", "1"), new TxnOp.Write(new DocMergePatch("c", "missing", StoreHarness.Utf8("{}"), default))], []));
        Assert.Equal(ResultCode.TxnAborted, r.Code);
        Assert.Equal(1, r.Txn!.FailedOpIndex);
        Assert.False(h.View.TryGetKey("a", 0, out _));
    }

    [Fact]
    public void UnconditionalDeleteOfAMissingItem_DoesNotAbort()
    {
        var h = new StoreHarness();
        var r = h.Apply(new Txn([], [new TxnOp.Write(new KvDelete("missing", default)), Put("a", "1")], []));
        Assert.True(r.IsOk);
        Assert.Equal(ResultCode.NotFound, r.Txn!.Results[0].Code);
        Assert.True(h.View.TryGetKey("a", 0, out _));

        var strict = h.Apply(new Txn([], [new TxnOp.Write(new KvDelete("missing", Precondition.MustExist)), Put("b", "1")], []));
        Assert.Equal(ResultCode.TxnAborted, strict.Code);
    }

    [Theory]
    [InlineData(CompareField.Version, CompareOp.Equal, 2, true)]
    [InlineData(CompareField.Version, CompareOp.NotEqual, 2, false)]
    [InlineData(CompareField.Version, CompareOp.Less, 3, true)]
    [InlineData(CompareField.Version, CompareOp.Greater, 2, false)]
    [InlineData(CompareField.CreateRevision, CompareOp.Equal, 1, true)]
    [InlineData(CompareField.ModRevision, CompareOp.Equal, 2, true)]
    [InlineData(CompareField.ModRevision, CompareOp.Less, 2, false)]
    [InlineData(CompareField.Exists, CompareOp.Equal, 1, true)]
    [InlineData(CompareField.Exists, CompareOp.NotEqual, 1, false)]
    public void Compare_OnAnExistingDocument(CompareField field, CompareOp op, long number, bool holds)
    {
        var h = new StoreHarness();
        h.PutDoc("c", "d", """{"v":1}""");
        h.PutDoc("c", "d", """{"v":2}""");
        var r = h.Apply(new Txn([Cmp(Target.Doc("c", "d"), field, op, number)], [], []));
        Assert.Equal(holds, r.Txn!.Succeeded);
    }

    [Theory]
    [InlineData(CompareField.Version, CompareOp.Equal, 0, true)]
    [InlineData(CompareField.ModRevision, CompareOp.Less, 1, true)]
    [InlineData(CompareField.Exists, CompareOp.Equal, 0, true)]
    [InlineData(CompareField.Value, CompareOp.NotEqual, 0, false)] // a missing target never matches a value compare
    [InlineData(CompareField.Value, CompareOp.Equal, 0, false)]
    public void Compare_OnAMissingTarget(CompareField field, CompareOp op, long number, bool holds)
    {
        var h = new StoreHarness();
        var r = h.Apply(new Txn([Cmp(Target.RawKey("missing"), field, op, number, value: "x")], [], []));
        Assert.Equal(holds, r.Txn!.Succeeded);
    }

    [Theory]
    [InlineData("b", CompareOp.Equal, true)]
    [InlineData("a", CompareOp.Greater, true)]
    [InlineData("c", CompareOp.Less, true)]
    [InlineData("bb", CompareOp.Less, true)]
    [InlineData("b", CompareOp.NotEqual, false)]
    public void ValueCompare_IsOrdinalOverBytes(string expected, CompareOp op, bool holds)
    {
        var h = new StoreHarness();
        h.PutKey("k", "b");
        var r = h.Apply(new Txn([Cmp(Target.RawKey("k"), CompareField.Value, op, value: expected)], [], []));
        Assert.Equal(holds, r.Txn!.Succeeded);
    }

    [Fact]
    public void ExpiredKey_IsMissingForComparesAndGets_WhenTheCommandCarriesAClock()
    {
        var h = new StoreHarness();
        h.PutKey("k", "v", expiresAt: 100);
        var txn = new Txn([Cmp(Target.RawKey("k"), CompareField.Exists, CompareOp.Equal, 1)], [Get("k")], [Get("k")]);
        var before = h.Apply(txn, nowUnixMs: 99);
        var after = h.Apply(txn, nowUnixMs: 100);
        Assert.True(before.Txn!.Succeeded);
        Assert.Equal(ResultCode.Ok, before.Txn.Results[0].Code);
        Assert.False(after.Txn!.Succeeded);
        Assert.Equal(ResultCode.NotFound, after.Txn.Results[0].Code);
    }

    [Fact]
    public void TooManyOperations_AreRejected()
    {
        var h = new StoreHarness(new StoreLimits { TxnOpsMax = 2 });
        var r = h.Apply(new Txn([], [Put("a", "1"), Put("b", "1"), Put("c", "1")], []));
        Assert.Equal(ResultCode.Rejected, r.Code);
        Assert.Contains("at most 2", r.Message);
        Assert.Equal(0, h.View.KeyCount);
        Assert.True(h.Apply(new Txn([], [Put("a", "1"), Put("b", "1")], [Put("c", "1"), Put("d", "1")])).IsOk);
    }

    [Fact]
    public void NestedTxnOrExpire_IsRejected()
    {
        var h = new StoreHarness();
        Assert.Equal(ResultCode.Rejected, h.Apply(new Txn([], [new TxnOp.Write(new Txn([], [], []))], [])).Code);
        Assert.Equal(ResultCode.Rejected, h.Apply(new Txn([], [], [new TxnOp.Write(new Expire(1, ["k"]))])).Code);
    }

    [Fact]
    public void InvalidOperationInTheBranchNotTaken_StillRejectsTheTxn()
    {
        var h = new StoreHarness();
        var r = h.Apply(new Txn([], [Put("ok", "1")], [Put("", "1")]));
        Assert.Equal(ResultCode.Rejected, r.Code);
        Assert.Contains("failure operation 0", r.Message);
    }

    [Fact]
    public void ExistsCompare_WithAnOrderingOperator_IsRejected()
    {
        var h = new StoreHarness();
        var r = h.Apply(new Txn([Cmp(Target.RawKey("k"), CompareField.Exists, CompareOp.Less, 1)], [], []));
        Assert.Equal(ResultCode.Rejected, r.Code);
    }
}

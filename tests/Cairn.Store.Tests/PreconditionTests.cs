namespace Cairn.Store.Tests;

/// <summary>Every precondition kind against an existing and a missing target, for every single-item write.</summary>
public sealed class PreconditionTests
{
    public enum Cmd { DocPut, DocMergePatch, DocDelete, KvPut, KvDelete }

    /// <summary>How the precondition is built: RevisionEquals either names the current revision or another one.</summary>
    public enum Pre { None, MustNotExist, MustExist, RevisionMatches, RevisionDiffers }

    public static TheoryData<Cmd, Pre, bool> Cases()
    {
        var data = new TheoryData<Cmd, Pre, bool>();
        foreach (var cmd in Enum.GetValues<Cmd>())
        foreach (var pre in Enum.GetValues<Pre>())
        foreach (var exists in new[] { true, false })
        {
            data.Add(cmd, pre, exists);
        }
        return data;
    }

    private static ResultCode Expected(Cmd cmd, Pre pre, bool exists)
    {
        var isDelete = cmd is Cmd.DocDelete or Cmd.KvDelete;
        if (!exists)
        {
            if (cmd == Cmd.DocMergePatch || isDelete) return ResultCode.NotFound; // never creates / nothing to delete
            return pre is Pre.MustExist or Pre.RevisionMatches or Pre.RevisionDiffers ? ResultCode.NotFound : ResultCode.Ok;
        }
        return pre switch
        {
            Pre.MustNotExist => ResultCode.AlreadyExists,
            Pre.RevisionDiffers => ResultCode.RevisionMismatch,
            _ => ResultCode.Ok,
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Write_AnswersAsThePreconditionRequires(Cmd cmd, Pre pre, bool exists)
    {
        var h = new StoreHarness();
        h.Apply(new KvPut("unrelated", StoreHarness.Utf8("x"), null, default)); // the item's revision differs from the store's
        var isDoc = cmd is Cmd.DocPut or Cmd.DocMergePatch or Cmd.DocDelete;
        long existingRevision = 0;
        if (exists)
        {
            existingRevision = isDoc
                ? h.PutDoc("c", "id", """{"a":1}""").Revision
                : h.PutKey("k", "v1").Revision;
        }
        h.Apply(new KvPut("later", StoreHarness.Utf8("y"), null, default));
        var precondition = pre switch
        {
            Pre.None => Precondition.None,
            Pre.MustNotExist => Precondition.MustNotExist,
            Pre.MustExist => Precondition.MustExist,
            Pre.RevisionMatches => Precondition.RevisionIs(exists ? existingRevision : 2),
            _ => Precondition.RevisionIs(exists ? existingRevision + 1 : 3),
        };
        Command command = cmd switch
        {
            Cmd.DocPut => new DocPut("c", "id", StoreHarness.Utf8("""{"b":2}"""), precondition),
            Cmd.DocMergePatch => new DocMergePatch("c", "id", StoreHarness.Utf8("""{"b":2}"""), precondition),
            Cmd.DocDelete => new DocDelete("c", "id", precondition),
            Cmd.KvPut => new KvPut("k", StoreHarness.Utf8("v2"), null, precondition),
            _ => new KvDelete("k", precondition),
        };
        var before = h.View;
        var eventsBefore = h.Events.Count;

        var result = h.Apply(command);

        var expected = Expected(cmd, pre, exists);
        Assert.Equal(expected, result.Code);
        Assert.Equal(h.Revision, result.Revision);
        if (expected != ResultCode.Ok)
        {
            // Nothing changes but the revision; a conflict shows the item as it is.
            Assert.Equal(before.ComputeStateHash(), h.View.WithRevision(before.Revision).ComputeStateHash());
            Assert.Equal(eventsBefore, h.Events.Count);
            if (expected is ResultCode.AlreadyExists or ResultCode.RevisionMismatch)
            {
                Assert.NotNull(result.Current);
                Assert.Equal(existingRevision, result.Current.Meta.ModRevision);
            }
            else
            {
                Assert.Null(result.Current);
            }
            return;
        }
        Assert.Equal(eventsBefore + 1, h.Events.Count);
        if (cmd is Cmd.DocDelete or Cmd.KvDelete)
        {
            Assert.Null(result.Current);
            Assert.Equal(existingRevision, result.Previous!.Value.ModRevision);
            Assert.Equal(0, h.View.DocumentCount + (h.View.TryGetKey("k", 0, out _) ? 1 : 0));
            return;
        }
        var meta = result.Current!.Meta;
        Assert.Equal(h.Revision, meta.ModRevision);
        Assert.Equal(exists ? existingRevision : h.Revision, meta.CreateRevision);
        Assert.Equal(exists ? 2 : 1, meta.Version);
        Assert.Equal(exists ? existingRevision : null, result.Previous?.ModRevision);
    }
}

using Cairn.Checking;
using Cairn.TestKit;
using FsCheck;
using FsCheck.Fluent;
using static Cairn.Checking.Operation;

namespace Cairn.Checking.Tests;

public sealed class HistoryJsonTests
{
    // Pieces that stress escaping: quotes, backslashes, line breaks (a line per operation must
    // survive them), control characters, non-ASCII and a surrogate pair.
    private static readonly string[] Fragments = ["a", "key", "\"", "\\", "\n", "\r\n", "\t", "\u0001", "é", "→", "中", "😀", " ", "{}", "null", ""];

    private static Gen<string> Text() =>
        Gen.ArrayOf(Gen.Elements(Fragments)).Select(parts => string.Concat(parts));

    private static Gen<string?> MaybeText() =>
        Gen.Frequency((1, Gen.Constant<string?>(null)), (4, Text().Select(t => (string?)t)));

    private static Gen<Operation> Operations() =>
        from client in Gen.Choose(0, 1000)
        from key in Text()
        from kind in Gen.Elements(OpKind.Read, OpKind.Write, OpKind.Cas, OpKind.Delete)
        from outcome in Gen.Elements(OpOutcome.Ok, OpOutcome.Fail, OpOutcome.Unknown)
        from value in Text()
        from maybe in MaybeText()
        from swapped in Gen.Elements(true, false)
        from invoke in Gen.Choose(0, int.MaxValue)
        from duration in Gen.Choose(0, 1_000_000)
        let known = outcome == OpOutcome.Ok
        select new Operation
        {
            ClientId = client, Key = key, Kind = kind, Outcome = outcome,
            Value = kind == OpKind.Write ? value : kind == OpKind.Cas ? maybe : null,
            Expected = kind == OpKind.Cas ? maybe : null,
            Output = kind == OpKind.Read && known ? maybe : null,
            CasSucceeded = kind == OpKind.Cas && known ? swapped : null,
            Invoke = invoke * 1000L, Complete = invoke * 1000L + duration,
        };

    [Fact]
    public void AnyOperation_SurvivesALineRoundTrip_OnOneLine()
    {
        Prop.ForAll(Operations().ToArbitrary(), op =>
        {
            var line = HistoryJson.ToLine(op);
            return !line.Contains('\n') && !line.Contains('\r') && HistoryJson.FromLine(line) == op;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Line_HasTheDocumentedShape()
    {
        var line = HistoryJson.ToLine(Cas(3, "k", "a", "b", 40, 50, succeeded: true));
        Assert.Equal(
            "{\"clientId\":3,\"key\":\"k\",\"kind\":\"cas\",\"value\":\"b\",\"expected\":\"a\",\"casSucceeded\":true,\"invoke\":40,\"complete\":50,\"outcome\":\"ok\"}",
            line);
        Assert.Equal(
            "{\"clientId\":1,\"key\":\"k\",\"kind\":\"read\",\"invoke\":1,\"complete\":2,\"outcome\":\"ok\"}",
            HistoryJson.ToLine(Read(1, "k", 1, 2, null)));
    }

    [Fact]
    public void RecordedHistory_SavedAndReadBack_ChecksTheSame()
    {
        var shape = new RandomHistories.Shape(Operations: 2_000, Clients: 8, Keys: ["x", "y", "z"],
            GapMax: 5, DurationMax: 10, FailRate: 0.05, UnknownRate: 0.05, UniqueValues: true);
        var history = RandomHistories.Legal(new Random(11), shape);
        history[^1] = Read(99, "x", 1_000_000, 1_000_001, "never-written");
        var path = Path.Combine(Path.GetTempPath(), $"cairn-history-{Guid.NewGuid():N}.jsonl");
        try
        {
            HistoryJson.WriteFile(path, history);
            var loaded = HistoryJson.ReadFile(path);

            Assert.Equal(history, loaded);
            Assert.Equal(history.Count, File.ReadAllLines(path).Length);
            var before = LinearizabilityChecker.Check(history);
            var after = LinearizabilityChecker.Check(loaded);
            Assert.Equal(Verdict.Illegal, after.Verdict);
            Assert.Equal(before.Describe().Split('\n').Skip(1), after.Describe().Split('\n').Skip(1));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Read_SkipsBlankLines()
    {
        var text = "\n" + HistoryJson.ToLine(Write(1, "k", "a", 0, 1)) + "\n\n  \n" + HistoryJson.ToLine(Read(2, "k", 2, 3, "a")) + "\n";
        var history = HistoryJson.Read(new StringReader(text));
        Assert.Equal([Write(1, "k", "a", 0, 1), Read(2, "k", 2, 3, "a")], history);
    }

    [Theory]
    [InlineData("{\"clientId\":1,\"key\":\"k\",\"kind\":\"write\"", "line 2")] // truncated (a torn tail)
    [InlineData("{\"clientId\":1,\"kind\":\"read\",\"invoke\":1,\"outcome\":\"ok\"}", "key")] // a required field missing
    [InlineData("{\"clientId\":1,\"key\":\"k\",\"kind\":\"jump\",\"invoke\":1,\"outcome\":\"ok\"}", "line 2")] // unknown kind
    [InlineData("{\"clientId\":1,\"key\":\"k\",\"kind\":\"write\",\"invoke\":1,\"complete\":2,\"outcome\":\"ok\"}", "needs a value")]
    [InlineData("{\"clientId\":1,\"key\":\"k\",\"kind\":\"read\",\"invoke\":5,\"complete\":2,\"outcome\":\"ok\"}", "before it is invoked")]
    [InlineData("null", "line 2")]
    public void Read_RejectsAMalformedLine_NamingIt(string bad, string expectedInMessage)
    {
        var text = HistoryJson.ToLine(Write(1, "k", "a", 0, 1)) + "\n" + bad + "\n";
        var error = Assert.Throws<InvalidDataException>(() => HistoryJson.Read(new StringReader(text)));
        Assert.Contains("line 2", error.Message);
        Assert.Contains(expectedInMessage, error.Message);
    }
}

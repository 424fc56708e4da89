using System.Diagnostics;
using Cairn.Checking;
using Cairn.FaultTests.Clients;
using Cairn.FaultTests.Run;

namespace Cairn.FaultTests.Checks;

/// <summary>The checks beyond linearizability on hand-made records and logs: each finds its anomaly and nothing on a clean run.</summary>
[Collection(FaultCollection.Name)]
public sealed class SafetyChecksTests
{
    private static readonly RunClock Clock = new();
    private static readonly long Ms = Stopwatch.Frequency / 1000;

    [Fact]
    public void LostWrites_FindsAnAcknowledgedWriteMissingFromTheLog_AndPassesOneThatIsThere()
    {
        var log = new CommittedLog([History("n1", 0, 10, new HistoryEvent(5, "put", "k", "a"), new HistoryEvent(7, "put", "k", "c"))]);
        OpRecord[] records = [Write(1, "k", "a", revision: 5, at: 10), Write(2, "k", "b", revision: 6, at: 20)];
        var (anomalies, unverified) = SafetyChecks.LostWrites(records, log, new Dictionary<string, FinalItem>(), Clock);
        var lost = Assert.Single(anomalies);
        Assert.Equal("lost-write", lost.Type);
        Assert.Contains("\"b\"", lost.Detail, StringComparison.Ordinal);
        Assert.Equal(0, unverified);
    }

    [Fact]
    public void LostWrites_FallsBackToTheFinalState_WhereNoFeedCoversTheRevision()
    {
        var log = new CommittedLog([History("n1", 100, 120)]);
        OpRecord[] records = [Write(1, "k", "a", revision: 50, at: 10), Write(2, "j", "b", revision: 60, at: 20)];
        var final = new Dictionary<string, FinalItem> { ["k"] = new("k", "x", 40), ["j"] = new("j", "y", 70) };
        var (anomalies, _) = SafetyChecks.LostWrites(records, log, final, Clock);
        Assert.Equal("lost-write", Assert.Single(anomalies).Type); // k is at 40 < 50; j moved on to 70 (fine)
    }

    [Fact]
    public void Duplicates_FindsAValuePutAtTwoRevisions()
    {
        var log = new CommittedLog([History("n1", 0, 10, new HistoryEvent(3, "put", "k", "t-a"), new HistoryEvent(6, "put", "k", "t-a"))]);
        Assert.Equal("duplicate-apply", Assert.Single(SafetyChecks.Duplicates([], log, "t-")).Type);
        Assert.Empty(SafetyChecks.Duplicates([], new CommittedLog([History("n1", 0, 10, new HistoryEvent(3, "put", "k", "t-a"))]), "t-"));
    }

    [Fact]
    public void StaleReads_FindsAReadFromAViewOlderThanAnEarlierAcknowledgement_OnAnyKey()
    {
        OpRecord[] records = [Write(1, "k", "a", revision: 9, at: 10), Read(2, "j", viewRevision: 8, invoke: 11), Read(3, "j", viewRevision: 9, invoke: 12), Read(4, "j", viewRevision: 1, invoke: 5)];
        var stale = Assert.Single(SafetyChecks.StaleReads(records, Clock));
        Assert.Contains("c2 read", stale.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void CommittedLog_ReportsNodesThatAppliedDifferentChangesAtOneRevision()
    {
        var log = new CommittedLog([History("n1", 0, 10, new HistoryEvent(4, "put", "k", "a")), History("n2", 0, 10, new HistoryEvent(4, "put", "k", "b")), History("n3", 5, 10)]);
        Assert.Equal("divergent-history", Assert.Single(log.Anomalies).Type);
        Assert.True(log.Covers(4));
        Assert.False(new CommittedLog([History("n3", 5, 10)]).Covers(4));
    }

    private static NodeHistory History(string node, long after, long to, params HistoryEvent[] events) => new(node, after, to, events, null);

    private static OpRecord Write(int client, string key, string value, long revision, long at) => new()
    {
        Index = client, Client = client, Kind = OpKind.Write, Key = key, Value = value, Invoke = Clock.Origin + ((at - 1) * Ms),
        Complete = Clock.Origin + (at * Ms), Outcome = OpOutcome.Ok, ModRevision = revision, ViewRevision = revision, Nodes = "n1", Attempts = 1, Answer = "200",
    };

    private static OpRecord Read(int client, string key, long viewRevision, long invoke) => new()
    {
        Index = client, Client = client, Kind = OpKind.Read, Key = key, Invoke = Clock.Origin + (invoke * Ms), Complete = Clock.Origin + ((invoke + 1) * Ms),
        Outcome = OpOutcome.Ok, Observed = null, ViewRevision = viewRevision, Nodes = "n2", Attempts = 1, Answer = "404",
    };
}

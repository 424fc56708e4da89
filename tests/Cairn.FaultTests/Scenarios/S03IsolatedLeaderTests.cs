using System.Globalization;
using Cairn.Checking;
using Cairn.FaultTests.Run;

namespace Cairn.FaultTests.Scenarios;

/// <summary>
/// S3: the leader is cut off from its peers but clients still reach it. 0 stale reads, and the old leader stops
/// answering linearizable reads within 2 election timeouts (2 × 1 s with the default 50 ms × 10 ticks, randomized up to 2×).
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class S03IsolatedLeaderTests(ITestOutputHelper output)
{
    private static readonly TimeSpan TwoElectionTimeouts = TimeSpan.FromSeconds(2);

    public static TheoryData<int> Seeds => Tier.Seeds(303);

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task S03_IsolatedLeader_ServesNoStaleRead_AndStopsServingReads(int seed)
    {
        var spec = new RunSpec
        {
            Name = "S03_IsolatedLeader",
            Seed = seed,
            Faults = FaultKinds.Partition,
            PartitionShapes = ["isolate-leader"],
            FaultPhase = TimeSpan.FromSeconds(25),
            FaultHold = (TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5)),
            FaultGap = (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)),
            Mix = new OpMix(WritePercent: 30, CasPercent: 10, DeletePercent: 0),
        };
        var report = await FaultRun.ExecuteAsync(spec, output, [Criteria.SomeFaults("partition"), OldLeaderStopsServingReads]);
        Assert.True(report.Passed, report.FailureMessage());
    }

    // For each isolation: the last linearizable read the isolated node answered must have been sent within two
    // election timeouts of the cut (later ones must be refused or time out: it cannot confirm its leadership).
    private string? OldLeaderStopsServingReads(RunReport report)
    {
        var failures = new List<string>();
        foreach (var cut in report.Run.Faults.Records.Where(f => f.Kind == "partition"))
        {
            var leader = cut.Detail.Split(' ')[0];
            var served = report.Records.Where(r => r.Kind == OpKind.Read && r.Outcome == OpOutcome.Ok && r.Nodes == leader
                && r.Invoke >= cut.Start && r.Invoke < (cut.End ?? long.MaxValue)).ToList();
            var lastMs = served.Count == 0 ? 0 : served.Max(r => RunClock.Span(cut.Start, r.Invoke));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"isolation of {leader} at {report.Run.Clock.Ms(cut.Start):0} ms: {served.Count} linearizable reads answered by it afterwards, the last sent {lastMs:0} ms after the cut"));
            if (lastMs > TwoElectionTimeouts.TotalMilliseconds)
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{leader} answered a linearizable read sent {lastMs:0} ms after it was cut off"));
        }
        return failures.Count == 0 ? null : string.Join("; ", failures);
    }
}

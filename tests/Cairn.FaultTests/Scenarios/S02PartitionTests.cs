using Cairn.FaultTests.Run;

namespace Cairn.FaultTests.Scenarios;

/// <summary>
/// S2: a partition of a random shape every few seconds (isolate one, isolate the leader, majority/minority, bridge,
/// one-way in and out). 0 violations, 0 acknowledged writes lost, at least 3 leader changes, a write within 5 s of the heal.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class S02PartitionTests(ITestOutputHelper output)
{
    public static TheoryData<int> Seeds => Tier.Seeds(202);

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task S02_Partitions_LoseNothing_AndTheClusterRecovers(int seed)
    {
        var spec = new RunSpec
        {
            Name = "S02_Partitions",
            Seed = seed,
            Faults = FaultKinds.Partition,
            // Every shape, the leader-centred ones twice as likely: the scenario must see at least 3 leader changes.
            PartitionShapes = [.. Nemesis.Nemesis.PartitionShapes, "isolate-leader", "one-way-out", "one-way-in", "majority-minority"],
            FaultPhase = TimeSpan.FromSeconds(30),
            FaultHold = (TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)),
            FaultGap = (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)),
        };
        var report = await FaultRun.ExecuteAsync(spec, output,
            [Criteria.SomeFaults("partition"), Criteria.LeaderChangesAtLeast(3), Criteria.FirstWriteAfterHealWithin(TimeSpan.FromSeconds(5))]);
        Assert.True(report.Passed, report.FailureMessage());
    }
}

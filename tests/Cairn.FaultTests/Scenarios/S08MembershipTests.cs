using Cairn.FaultTests.Run;

namespace Cairn.FaultTests.Scenarios;

/// <summary>
/// S8: nodes join (--join) and are removed (API) again and again, 3 ↔ 5 voters, while the nemesis partitions and kills
/// founding nodes. 0 violations, and every node ends with the same membership (nobody stuck in an old configuration).
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class S08MembershipTests(ITestOutputHelper output)
{
    public static TheoryData<int> Seeds => Tier.Seeds(808);

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task S08_MembershipChanges_UnderFaults_StaySafe_AndAgree(int seed)
    {
        var spec = new RunSpec
        {
            Name = "S08_Membership",
            Seed = seed,
            ExtraArgs = ["--Cairn:Cluster:SnapshotEntries=1000"], // restarts and new members start from snapshots too
            Faults = FaultKinds.Partition | FaultKinds.Kill,
            Membership = true,
            FaultPhase = TimeSpan.FromSeconds(35),
            FaultHold = (TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3)),
            FaultGap = (TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)),
        };
        var report = await FaultRun.ExecuteAsync(spec, output, [Criteria.SomeFaults("join"), Criteria.SomeFaults("remove")]);
        Assert.True(report.Passed, report.FailureMessage());
    }
}

using Cairn.FaultTests.Run;

namespace Cairn.FaultTests.Scenarios;

/// <summary>S4: SIGKILL a random node (half the time the leader), restart it. 0 violations, 0 acknowledged writes lost, convergence.</summary>
[Collection(FaultCollection.Name)]
public sealed class S04KillTests(ITestOutputHelper output)
{
    public static TheoryData<int> Seeds => Tier.Seeds(404);

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task S04_Kills_LoseNothing_AndConverge(int seed)
    {
        var spec = new RunSpec
        {
            Name = "S04_Kills",
            Seed = seed,
            ExtraArgs = ["--Cairn:Cluster:SnapshotEntries=1000"], // restarts and new members start from snapshots too
            Faults = FaultKinds.Kill,
            FaultPhase = TimeSpan.FromSeconds(30),
            FaultHold = (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)),
            FaultGap = (TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(6)),
        };
        var report = await FaultRun.ExecuteAsync(spec, output, [Criteria.SomeFaults("kill")]);
        Assert.True(report.Passed, report.FailureMessage());
    }
}

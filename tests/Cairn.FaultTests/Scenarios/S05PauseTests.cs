using Cairn.FaultTests.Run;

namespace Cairn.FaultTests.Scenarios;

/// <summary>
/// S5: SIGSTOP a node for 1–10 s (often the leader), then SIGCONT. No acknowledgement from a deposed leader (a lost or
/// non-linearizable write), no duplicate apply: 0 violations.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class S05PauseTests(ITestOutputHelper output)
{
    public static TheoryData<int> Seeds => Tier.Seeds(505);

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task S05_Pauses_NeverAckFromADeposedLeader_NorApplyTwice(int seed)
    {
        var spec = new RunSpec
        {
            Name = "S05_Pauses",
            Seed = seed,
            Faults = FaultKinds.Pause,
            FaultPhase = TimeSpan.FromSeconds(30),
            FaultHold = (TimeSpan.FromSeconds(1), Tier.Extended ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(5)),
            FaultGap = (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)),
        };
        var report = await FaultRun.ExecuteAsync(spec, output, [Criteria.SomeFaults("pause")]);
        Assert.True(report.Passed, report.FailureMessage());
    }
}

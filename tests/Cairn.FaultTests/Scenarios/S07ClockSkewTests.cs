using Cairn.FaultTests.Run;

namespace Cairn.FaultTests.Scenarios;

/// <summary>
/// S7: clocks skewed by libfaketime (±300 s offsets, ×2 and ×0.5 rates, which also scale the Raft timers: see
/// <see cref="ClockSkew"/>) on every node from the start, plus skewed restarts, partitions and kills. 0 violations:
/// safety never depends on wall clocks. Skipped, with the reason, when libfaketime is not installed.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class S07ClockSkewTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string?> Skews = new() { ["n1"] = "+300s x2", ["n2"] = "-300s x0.5", ["n3"] = "+0 x2" };

    public static TheoryData<int> Seeds => Tier.Seeds(707);

    [SkippableTheory]
    [MemberData(nameof(Seeds))]
    public async Task S07_ClockSkew_NeverBreaksSafety(int seed)
    {
        Skip.IfNot(ClockSkew.Available, ClockSkew.MissingReason);
        var spec = new RunSpec
        {
            Name = "S07_ClockSkew",
            Seed = seed,
            Faults = FaultKinds.Skew | FaultKinds.Partition | FaultKinds.Kill,
            ClockSkew = name => Skews.GetValueOrDefault(name),
            FaultPhase = TimeSpan.FromSeconds(30),
            FaultHold = (TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)),
            FaultGap = (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)),
        };
        var report = await FaultRun.ExecuteAsync(spec, output, [Criteria.SomeFaults("skew")]);
        Assert.True(report.Passed, report.FailureMessage());
    }
}

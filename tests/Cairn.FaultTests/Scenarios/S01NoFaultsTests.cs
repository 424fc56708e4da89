using Cairn.FaultTests.Run;

namespace Cairn.FaultTests.Scenarios;

/// <summary>S1: no faults; 3 nodes, 12 clients, reads, writes, cas and deletes. 0 violations, 0 errors, equal state hash at the end.</summary>
[Collection(FaultCollection.Name)]
public sealed class S01NoFaultsTests(ITestOutputHelper output)
{
    public static TheoryData<int> Seeds => Tier.Seeds(101);

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task S01_NoFaults_IsLinearizable_WithoutErrors_AndConverges(int seed)
    {
        var spec = new RunSpec
        {
            Name = "S01_NoFaults",
            Seed = seed,
            Faults = FaultKinds.None,
            Warmup = TimeSpan.FromSeconds(2),
            FaultPhase = TimeSpan.FromSeconds(15),
            Cooldown = TimeSpan.FromSeconds(2),
            Mix = new OpMix(WritePercent: 30, CasPercent: 20, DeletePercent: 10),
        };
        var report = await FaultRun.ExecuteAsync(spec, output, [Criteria.NoErrors]);
        Assert.True(report.Passed, report.FailureMessage());
    }
}

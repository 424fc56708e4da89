using Cairn.FaultTests.Run;

namespace Cairn.FaultTests.Scenarios;

/// <summary>
/// S10: the server's failpoints (Cairn:Cluster:Testing:CrashPoints, armed through the environment) SIGKILL a node
/// before persisting, after persisting but before sending, before applying, and right after a snapshot; the supervisor
/// restarts it. Failpoints are armed on n1 and n2 (n3's change feed then covers the whole run for the lost-write and
/// duplicate checks); at the heal they are restarted without. 0 violations, every node recovers and converges.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class S10FailpointTests(ITestOutputHelper output)
{
    public static TheoryData<int> Seeds => Tier.Seeds(1010);

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task S10_CrashesAtFailpoints_Recover_WithoutViolations(int seed)
    {
        var spec = new RunSpec
        {
            Name = "S10_Failpoints",
            Seed = seed,
            Faults = FaultKinds.None,
            Supervise = true,
            Failpoints = "append:0.0005,send:0.0005,apply:0.001,snapshot:0.3",
            ExtraArgs = ["--Cairn:Cluster:SnapshotEntries=300"],
            FaultPhase = TimeSpan.FromSeconds(30),
        };
        var report = await FaultRun.ExecuteAsync(spec, output, [Criteria.SomeFaults("crash")]);
        foreach (var point in new[] { "append", "send", "apply", "snapshot" })
            output.WriteLine($"crashes at {point}: {report.Run.Faults.Records.Count(f => f.Kind == "crash" && f.Detail.Contains($"failpoint {point}:", StringComparison.Ordinal))}");
        Assert.True(report.Passed, report.FailureMessage());
    }
}

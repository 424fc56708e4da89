using Cairn.FaultTests.Run;

namespace Cairn.FaultTests.Scenarios;

/// <summary>
/// Proof of teeth: each test-only server switch that breaks a guarantee (Cairn:Cluster:Testing:*, off by default)
/// must make the suite's checkers report the anomaly it causes. These tests PASS when the run FAILS its checks.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class TeethTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Teeth_AckBeforeCommit_IsCaught_AsLostOrNonLinearizableWrites()
    {
        // A leader cut off from its peers acknowledges writes that never commit.
        var report = await RunAsync(new RunSpec
        {
            Name = "Teeth_AckBeforeCommit",
            Seed = 9001,
            Faults = FaultKinds.Partition,
            PartitionShapes = ["isolate-leader"],
            FaultHold = (TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4)),
            ExtraArgs = ["--Cairn:Cluster:Testing:AckBeforeCommit=true"],
        });
        Assert.True(report.Count("lost-write") + report.IllegalKeys + report.Count("stale-read") > 0,
            $"AckBeforeCommit was not caught: {report.Figures()}");
    }

    [Fact]
    public async Task Teeth_LocalLinearizableReads_IsCaught_AsStaleReads()
    {
        // A follower cut off from the leader keeps answering "linearizable" reads from its old state.
        var report = await RunAsync(new RunSpec
        {
            Name = "Teeth_LocalReads",
            Seed = 9002,
            Faults = FaultKinds.Partition,
            PartitionShapes = ["isolate-one"],
            FaultHold = (TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4)),
            ExtraArgs = ["--Cairn:Cluster:Testing:LocalLinearizableReads=true"],
        });
        Assert.True(report.Count("stale-read") + report.IllegalKeys > 0, $"LocalLinearizableReads was not caught: {report.Figures()}");
    }

    [Fact]
    public async Task Teeth_SkipDedup_IsCaught_AsDuplicateApplies()
    {
        // Lossy links drop forwarded writes' answers: the client retries with the same request id, and without the
        // dedup window the retry applies a second time.
        var report = await RunAsync(new RunSpec
        {
            Name = "Teeth_SkipDedup",
            Seed = 9003,
            Faults = FaultKinds.Degrade,
            Loss = (0.25, 0.3),
            FaultHold = (TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(5)),
            ExtraArgs = ["--Cairn:Cluster:Testing:SkipDedup=true"],
        });
        Assert.True(report.Count("duplicate-apply") > 0, $"SkipDedup was not caught: {report.Figures()}");
    }

    private Task<RunReport> RunAsync(RunSpec spec) => FaultRun.ExecuteAsync(spec with
    {
        Warmup = TimeSpan.FromSeconds(2),
        ScaleWithTier = false,
        FaultPhase = TimeSpan.FromSeconds(15),
        FaultGap = (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.5)),
        Cooldown = TimeSpan.FromSeconds(2),
    }, output, saveOnFailure: false);
}

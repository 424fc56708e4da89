using Cairn.FaultTests.Run;
using Cairn.SystemTests.Harness;

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
        var report = await FaultRun.ExecuteAsync(spec, output, [SkewIsInEffect]);
        Assert.True(report.Passed, report.FailureMessage());
    }

    // The nodes' HTTP Date headers show their skewed wall clocks (n1 runs 300 s ahead): libfaketime is really in effect.
    private string? SkewIsInEffect(RunReport report)
    {
        var offsets = report.Run.Cluster.Running.Select(n =>
        {
            using var response = report.Run.Cluster.Client(n).SendAsync(HttpMethod.Get, "healthz", timeout: TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
            return (Node: n, Offset: response.Headers.Date is { } date ? (date - DateTimeOffset.UtcNow).TotalSeconds : double.NaN);
        }).ToList();
        output.WriteLine($"wall-clock offsets seen in Date headers: {string.Join(", ", offsets.Select(o => $"{o.Node} {o.Offset:+0;-0} s"))}");
        return offsets.Any(o => Math.Abs(o.Offset) > 200) ? null : "no node's Date header is skewed: libfaketime did not take effect";
    }
}

using System.Globalization;
using Cairn.FaultTests.Run;
using Cairn.SystemTests.Harness;

namespace Cairn.FaultTests.Scenarios;

/// <summary>
/// S9: a follower is cut off while the clients write until the leader has snapshotted and compacted its log past the
/// follower (snapshots every 200 entries, 1,024 entries kept below a snapshot), then healed: it must catch up by
/// installing a snapshot within 30 s and end with the same state hash. Forced snapshots run all along (small interval).
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class S09SnapshotCatchUpTests(ITestOutputHelper output)
{
    private const long SnapshotEntries = 200;
    private const long LogTailEntries = 1024; // RaftConfig.SnapshotLogTailEntries default
    private static readonly TimeSpan CatchUpBound = TimeSpan.FromSeconds(30);

    public static TheoryData<int> Seeds => Tier.Seeds(909);

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task S09_FollowerBehindACompactedLog_CatchesUpFromASnapshot(int seed)
    {
        double? caughtUpMs = null;
        string? snapshotLine = null;
        var spec = new RunSpec
        {
            Name = "S09_SnapshotCatchUp",
            Seed = seed,
            Mix = new OpMix(WritePercent: 60, CasPercent: 10, DeletePercent: 5),
            ExtraArgs = [$"--Cairn:Cluster:SnapshotEntries={SnapshotEntries}"],
            Script = async (run, leaders, _) => (caughtUpMs, snapshotLine) = await CutUntilCompactedAsync(run, leaders),
        };
        var report = await FaultRun.ExecuteAsync(spec, output,
        [
            _ => snapshotLine is null ? "the cut-off follower never logged a snapshot install: it did not catch up from a snapshot" : null,
            _ => caughtUpMs is { } ms && ms <= CatchUpBound.TotalMilliseconds ? null
                : $"the follower caught up {(caughtUpMs is { } v ? $"after {v:F0} ms" : "never")}; the bound is {CatchUpBound.TotalSeconds} s",
        ]);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"S9: caught up {caughtUpMs:F0} ms after the heal; {snapshotLine}"));
        Assert.True(report.Passed, report.FailureMessage());
    }

    private async Task<(double? CaughtUpMs, string? SnapshotLine)> CutUntilCompactedAsync(RunContext run, LeaderMonitor leaders)
    {
        var cluster = run.Cluster;
        var leader = await cluster.WaitForLeaderAsync();
        var follower = run.ClientNodes.First(n => n != leader);
        var logLinesBefore = File.ReadAllLines(cluster[follower].LogPath).Length;
        var cutAt = (await cluster.Client(leader).ClusterAsync()).AppliedIndex;
        var target = cutAt + SnapshotEntries + LogTailEntries + 300;
        var cut = run.Faults.Begin("partition", follower, $"{follower} cut off at index {cutAt} until the leader passes {target}");
        cluster.Partition(follower);
        await Poll.UntilAsync($"the majority applies past index {target}", TimeSpan.FromSeconds(90), async () =>
        {
            var current = leaders.Leader(TimeSpan.FromSeconds(2)) ?? leader;
            var applied = (await cluster.Client(current).ClusterAsync()).AppliedIndex;
            return (applied >= target, $"{current} applied {applied}");
        }, interval: TimeSpan.FromMilliseconds(200));
        cluster.HealAll();
        run.Faults.End(cut);
        var healed = run.Clock.Now;
        var line = await Poll.UntilAsync($"{follower} installs a snapshot and catches up", CatchUpBound + TimeSpan.FromSeconds(30), async () =>
        {
            var installed = File.ReadAllLines(cluster[follower].LogPath).Skip(logLinesBefore)
                .FirstOrDefault(l => l.Contains("installed a snapshot at index", StringComparison.Ordinal));
            var mine = (await cluster.Client(follower).ClusterAsync()).AppliedIndex;
            var current = leaders.Leader(TimeSpan.FromSeconds(2)) ?? leader;
            var theirs = (await cluster.Client(current).ClusterAsync()).CommitIndex;
            return (installed is not null && mine >= target, installed ?? "", $"{follower} applied {mine}, {current} committed {theirs}, snapshot installed: {installed is not null}");
        }, interval: TimeSpan.FromMilliseconds(100));
        var ms = RunClock.Span(healed, run.Clock.Now);
        run.Faults.Instant("caught-up", follower, line.Trim());
        return (ms, line.Trim());
    }
}

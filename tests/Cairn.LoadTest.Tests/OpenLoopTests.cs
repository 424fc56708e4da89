namespace Cairn.LoadTest.Tests;

/// <summary>Coordinated omission: the open loop must show a server stall that the closed loop hides.</summary>
public sealed class OpenLoopTests
{
    private static readonly TimeSpan Stall = TimeSpan.FromMilliseconds(400);

    private static BenchOptions Options(Uri server, double? rate) => new()
    {
        Servers = [server],
        Workload = Workload.Put,
        KeyCount = 100,
        Connections = 4,
        Requests = 200,
        RatePerSecond = rate,
        Seed = 1,
    };

    [Fact]
    public async Task OpenLoop_LatencyShowsTheStall_ForEveryOperationDueDuringIt()
    {
        // 200/s for 1 s: about 80 operations fall due during the 400 ms stall. Measured from
        // their due time they are 0..400 ms late, so the top tenth is at least ~300 ms.
        await using var server = await FakeCairnServer.StartAsync(new FakeCairnServer { StallAtRequest = 40, StallFor = Stall });
        var report = await BenchRunner.RunAsync(Options(server.Address, rate: 200));

        Assert.Equal(200, report.Operations);
        Assert.Equal(0, report.Errors);
        Assert.Equal("intended send time", report.LatencyMeasuredFrom);
        Assert.True(report.Latency.MaxMs >= Stall.TotalMilliseconds * 0.9, $"max {report.Latency.MaxMs} ms");
        Assert.True(report.Latency.P90Ms >= Stall.TotalMilliseconds * 0.5, $"open-loop p90 {report.Latency.P90Ms} ms hides the stall");
        // The schedule, not the server, sets the pace: 200 operations at 200/s take about a second.
        Assert.True(report.ElapsedSeconds >= 0.9, $"elapsed {report.ElapsedSeconds} s: the rate was not respected");
    }

    [Fact]
    public async Task ClosedLoop_SeesTheStallOnlyInTheRequestsInFlight()
    {
        // The same stall, closed loop: only the 4 requests in flight wait, the rest are simply
        // not sent meanwhile, so p90 stays small. This is the omission the open loop corrects.
        await using var server = await FakeCairnServer.StartAsync(new FakeCairnServer { StallAtRequest = 40, StallFor = Stall });
        var report = await BenchRunner.RunAsync(Options(server.Address, rate: null));

        Assert.Equal("send time", report.LatencyMeasuredFrom);
        Assert.True(report.Latency.MaxMs >= Stall.TotalMilliseconds * 0.9, $"max {report.Latency.MaxMs} ms");
        Assert.True(report.Latency.P90Ms < Stall.TotalMilliseconds * 0.25, $"closed-loop p90 {report.Latency.P90Ms} ms");
    }

    [Fact]
    public async Task OpenLoop_WithADeadline_StillSendsTheSlotsThatCameDueDuringAStall()
    {
        // 100/s for 0.5 s over one connection; the first 300 ms stall and requests time out
        // after 100 ms. Every slot due before the deadline must still be sent (late), none dropped.
        await using var server = await FakeCairnServer.StartAsync(new FakeCairnServer { StallAtRequest = 1, StallFor = TimeSpan.FromMilliseconds(300) });
        var report = await BenchRunner.RunAsync(new BenchOptions
        {
            Servers = [server.Address],
            Workload = Workload.Put,
            KeyCount = 10,
            Connections = 1,
            Duration = TimeSpan.FromMilliseconds(500),
            RatePerSecond = 100,
            RequestTimeout = TimeSpan.FromMilliseconds(100),
        });

        // The first request times out after 100 ms, and the slots due meanwhile are sent late, not dropped.
        Assert.True(report.ErrorsByKind.GetValueOrDefault("timeout") >= 1, string.Join(", ", report.ErrorsByKind));
        Assert.Equal(0, report.NotSent);
        Assert.Equal(50, report.Operations);
    }
}

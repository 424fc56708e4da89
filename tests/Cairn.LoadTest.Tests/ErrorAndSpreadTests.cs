using System.Net;
using System.Net.Sockets;

namespace Cairn.LoadTest.Tests;

public sealed class ErrorAndSpreadTests
{
    [Fact]
    public async Task Errors_AreCountedByKind_WithTheProblemType()
    {
        await using var flaky = await FakeCairnServer.StartAsync(new FakeCairnServer { Fault = Fault.Unavailable, FailEvery = 4 });
        var report = await BenchRunner.RunAsync(new BenchOptions
        {
            Servers = [flaky.Address],
            Workload = Workload.Put,
            KeyCount = 20,
            Connections = 2,
            Requests = 80,
        });

        Assert.Equal(20, report.ErrorsByKind.GetValueOrDefault("503 unavailable"));
        Assert.Equal(20, report.Errors);
        Assert.Equal(80, report.Operations);
        Assert.Contains("503 unavailable", ReportText.Format(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_AreCountedByKind_ForTransportFailures()
    {
        var closed = new Uri($"http://127.0.0.1:{UnusedPort()}");
        var report = await BenchRunner.RunAsync(new BenchOptions { Servers = [closed], Workload = Workload.Put, Connections = 2, Requests = 10 });

        Assert.Equal(10, report.ErrorsByKind.GetValueOrDefault("transport: ConnectionError (ConnectionRefused)"));
        Assert.Equal(10, report.Errors);
    }

    [Fact]
    public async Task Connections_AreSpreadOverEveryServer()
    {
        await using var a = await FakeCairnServer.StartAsync(new FakeCairnServer());
        await using var b = await FakeCairnServer.StartAsync(new FakeCairnServer());
        var report = await BenchRunner.RunAsync(new BenchOptions
        {
            Servers = [a.Address, b.Address],
            Workload = Workload.Put,
            KeyCount = 100,
            Connections = 4,
            Requests = 400,
            Seed = 9,
        });

        Assert.Equal(400, report.Operations);
        Assert.Equal(400, a.Requests + b.Requests);
        Assert.InRange(a.Requests, 100, 300);
        Assert.Equal(2, report.Servers.Count);
    }

    [Fact]
    public async Task Progress_PrintsALineEverySecond_AndJsonCarriesTheFigures()
    {
        await using var server = await FakeCairnServer.StartAsync(new FakeCairnServer());
        var progress = new StringWriter();
        var report = await BenchRunner.RunAsync(new BenchOptions
        {
            Servers = [server.Address],
            Workload = Workload.Get,
            KeyCount = 50,
            Connections = 2,
            Duration = TimeSpan.FromSeconds(2.4),
            RatePerSecond = 100,
        }, progress);

        var lines = progress.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(lines.Length, 2, 3);
        Assert.All(lines, l => Assert.Contains("ops/s", l, StringComparison.Ordinal));
        Assert.NotNull(report.Preload);
        Assert.Equal(50, report.Preload!.Operations);

        var json = System.Text.Json.JsonDocument.Parse(ReportText.Json(report)).RootElement;
        Assert.Equal("open", json.GetProperty("loop").GetString());
        Assert.Equal(report.Operations, json.GetProperty("operations").GetInt64());
        Assert.True(json.GetProperty("latency").GetProperty("p99Ms").GetDouble() > 0);
        Assert.Equal(1.0 / 256, json.GetProperty("histogramRelativeErrorMax").GetDouble());
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Cairn.Cli;

namespace Cairn.LoadTest.Tests;

/// <summary>
/// <c>cairn bench --check</c> end to end: the executable's own command tree, invoked in-process
/// with its output captured, against the real single node (and a faulty fake one).
/// </summary>
public sealed class CliCheckTests
{
    private static async Task<(int Exit, string Out, string Err)> CairnAsync(params string[] args)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new StringWriter(CultureInfo.InvariantCulture);
        var exit = await CairnCli.Create().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    private static string[] Bench(Uri server, string workload, params string[] more) =>
        ["bench", "-s", server.ToString(), "-w", workload, "-k", "4", "-c", "4", "-n", "300", "--seed", "5", "-q", "--check", .. more];

    [Fact]
    public async Task CairnBenchCheck_OnARealNode_RunsTheChecker_AndPrintsZeroAnomalies()
    {
        await using var node = await RealNode.StartAsync();
        foreach (var workload in new[] { "mixed", "cas", "put" })
        {
            var (exit, output, error) = await CairnAsync(Bench(node.Address, workload));

            Assert.True(exit == 0, $"{workload}: exit {exit}\n{output}\n{error}");
            var line = Assert.Single(output.Split('\n'), l => l.TrimStart().StartsWith("check:", StringComparison.Ordinal));
            var operations = int.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            Assert.Equal($"  check: {operations} operations, 0 anomalies", line);
            Assert.True(operations >= 300, $"{workload}: {operations} operations checked");
        }
    }

    [Fact]
    public async Task CairnBenchCheck_Json_ReportsTheCheckedHistory()
    {
        await using var node = await RealNode.StartAsync();
        var (exit, output, _) = await CairnAsync(Bench(node.Address, "cas", "--json"));

        Assert.Equal(0, exit);
        var check = JsonDocument.Parse(output).RootElement.GetProperty("check");
        Assert.True(check.GetProperty("checked").GetBoolean());
        Assert.Equal(0, check.GetProperty("anomalies").GetInt32());
        Assert.Equal(0, check.GetProperty("inconclusive").GetInt32());
        Assert.Equal($"{check.GetProperty("operations").GetInt32()} operations, 0 anomalies", check.GetProperty("description").GetString());
    }

    [Fact]
    public async Task CairnBenchCheck_AgainstAServerWithStaleReads_PrintsTheAnomaly_AndExitsWith3()
    {
        await using var server = await FakeCairnServer.StartAsync(new FakeCairnServer { Fault = Fault.StaleReads });
        var (exit, output, error) = await CairnAsync(Bench(server.Address, "mixed"));

        Assert.True(exit == 3, $"exit {exit}\n{output}\n{error}");
        Assert.Matches(@"check: \d+ operations, [1-9]\d* anomalies", output);
        Assert.Contains(": NOT linearizable", output, StringComparison.Ordinal);
        Assert.Contains("could not place:", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0s", "the check time must be between 0 and 24 h")]
    [InlineData("25h", "the check time must be between 0 and 24 h")]
    [InlineData("soon", "'soon' is not a duration")]
    public async Task CheckTime_OutOfRange_IsRefused_BeforeAnythingIsSent(string value, string message)
    {
        await using var server = await FakeCairnServer.StartAsync(new FakeCairnServer());
        var (exit, _, error) = await CairnAsync(Bench(server.Address, "mixed", "--check-time", value));

        Assert.Equal(2, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
    }
}

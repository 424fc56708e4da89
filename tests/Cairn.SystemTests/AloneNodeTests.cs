using System.Globalization;
using System.Net;
using Cairn.SystemTests.Harness;

namespace Cairn.SystemTests;

/// <summary><c>cairn serve</c> with no cluster flags at all is still durable: a one-voter cluster on its data directory.</summary>
[Collection(SystemCollection.Name)]
public sealed class AloneNodeTests
{
    [Fact]
    public async Task ANodeStartedAlone_KeepsWhatItAcknowledged_AcrossASigkill()
    {
        var basePort = FreePorts.DevBase(1);
        var directory = Path.Combine(Path.GetTempPath(), "cairn-systests",
            $"{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-alone-{Guid.NewGuid().ToString("N")[..6]}");
        Directory.CreateDirectory(directory);
        string[] args = ["serve", "--http", $"127.0.0.1:{basePort + 1}", "--parent-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)];
        await using var node = new NodeProcess("n1", basePort + 1, basePort + 101, args, Path.Combine(directory, "n1.log"));
        using var client = Api.CreateClient(node.HttpUri);
        node.Start();
        await WaitReadyAsync(node, client);
        using (var put = await client.PutAsync("v1/notes/1", "{\"kept\":true}"))
            Assert.True(put.StatusCode == HttpStatusCode.Created, $"PUT: {(int)put.StatusCode}\n{node.Tail(20)}");

        await node.RestartAsync(); // SIGKILL, then the same command again
        await WaitReadyAsync(node, client);
        using var get = await client.ReadAsync("v1/notes/1", "linearizable");
        Assert.True(get.StatusCode == HttpStatusCode.OK, $"GET after the restart: {(int)get.StatusCode}\n{node.Tail(30)}");
        Assert.Equal("{\"kept\":true}", await get.Content.ReadAsStringAsync());
        Assert.True(File.Exists(Path.Combine(directory, "cairn-data", "n1", "stable")), $"no data directory under {directory}");
    }

    private static Task WaitReadyAsync(NodeProcess node, HttpClient client) =>
        Poll.UntilAsync("the lone node is ready", TimeSpan.FromSeconds(30), async () =>
        {
            node.EnsureRunning("waiting for /readyz");
            try
            {
                using var ready = await client.GetAsync("readyz");
                return (ready.StatusCode == HttpStatusCode.OK, $"readyz {(int)ready.StatusCode}");
            }
            catch (HttpRequestException e)
            {
                return (false, e.Message);
            }
        });
}

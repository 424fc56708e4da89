using System.Net;
using Cairn.SystemTests.Harness;

namespace Cairn.SystemTests;

/// <summary><c>cairn dev</c> as a new user starts it: one command, URLs and PIDs printed, crash restart, Ctrl+C stops everything.</summary>
[Collection(SystemCollection.Name)]
public sealed class DevCommandTests(ITestOutputHelper output)
{
    private const int SharedPortRequests = 40;

    [Fact]
    public async Task Dev_PrintsReadyNodes_RestartsAKilledLeader_AndSigintLeavesNoNodeRunning() => await KillRestartAndStopAsync("leader");

    /// <summary>Fails today: a restarted follower comes back empty and dies on the leader's first heartbeat (in-memory storage).</summary>
    [Fact]
    public async Task Dev_RestartsAKilledFollower_AndSigintLeavesNoNodeRunning() => await KillRestartAndStopAsync("follower");

    [Fact]
    public async Task Dev_StartedWithSigintIgnored_AsABackgroundJobIs_StillStopsEverythingOnSigint()
    {
        var basePort = FreePorts.DevBase(3);
        await using var dev = DevRun.Start("dev-sigign", sigintIgnored: true, "--base-port", basePort.ToString(), "--in-memory");
        await Scenario.RunAsync(dev, async () =>
        {
            var nodes = await dev.WaitReadyAsync();
            var pids = dev.RememberDescendants();
            Assert.Equal(3, nodes.Count);
            dev.Process.Signal(Posix.SigInt);
            await dev.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
            var alive = pids.Where(Posix.IsAlive).ToList();
            Assert.True(alive.Count == 0, $"still alive after dev exited: [{string.Join(',', alive)}]");
            Assert.Equal(0, dev.Process.ExitCode);
        });
    }

    private async Task KillRestartAndStopAsync(string victimRole)
    {
        var basePort = FreePorts.DevBase(3);
        await using var dev = DevRun.Start("dev-" + victimRole, "--base-port", basePort.ToString());
        await Scenario.RunAsync(dev, async () =>
        {
            var nodes = await dev.WaitReadyAsync();
            Assert.Equal(["n1", "n2", "n3"], nodes.Select(n => n.Name));
            Assert.Equal(Enumerable.Range(1, 3).Select(i => $"http://127.0.0.1:{basePort + i}/"), nodes.Select(n => n.Url.ToString()));
            output.WriteLine(string.Join("\n", dev.Process.Lines));
            var clients = nodes.ToDictionary(n => n.Name, n => Api.CreateClient(n.Url));
            var newPid = 0;
            try
            {
                var views = await Task.WhenAll(nodes.Select(n => clients[n.Name].ClusterAsync()));
                Assert.All(views, v => Assert.True(v.Ready, $"{v.Node} not ready after the Ready: line"));
                using (var put = await clients["n1"].PutAsync("v1/users/1", "{\"name\":\"Ada\"}"))
                    Assert.Equal(HttpStatusCode.Created, put.StatusCode);

                // kill -9 one child: dev says it restarted it (new pid), and the node comes back (empty, then caught up).
                var leader = views[0].Leader;
                var victim = nodes.First(n => (n.Name == leader) == (victimRole == "leader"));
                Posix.Signal(victim.Pid, Posix.SigKill);
                var exited = $"{victim.Name} (pid {victim.Pid}) exited";
                var notice = await dev.Process.WaitForLineAsync(l => l.StartsWith(exited, StringComparison.Ordinal),
                    TimeSpan.FromSeconds(20), $"the restart notice for {victim.Name}");
                output.WriteLine(notice);
                var restarted = System.Text.RegularExpressions.Regex.Match(notice, @"restarted it as pid (\d+)");
                Assert.True(restarted.Success, $"the notice names the new pid: {notice}");
                newPid = int.Parse(restarted.Groups[1].Value);
                await Poll.UntilAsync($"{victim.Name} back, and every node ready", TimeSpan.FromSeconds(30), async () =>
                {
                    var crashes = dev.Process.Lines.Where(l => l.StartsWith($"{victim.Name} (pid ", StringComparison.Ordinal)).ToList();
                    if (crashes.Count > 1) throw new InvalidOperationException($"the restarted {victim.Name} crashed again: {crashes[^1]}");
                    var now = await Task.WhenAll(clients.Values.Select(c => c.ClusterAsync()));
                    return (now.All(v => v.Ready && v.Leader is not null) && now.Select(v => v.Leader).Distinct().Count() == 1,
                        string.Join(" | ", now.Select(v => v.ToString())));
                });
                var (get, _) = await Retrying.ReadAsync(clients[victim.Name], "v1/users/1", "linearizable", TimeSpan.FromSeconds(20));
                using (get) Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            }
            finally
            {
                foreach (var c in clients.Values) c.Dispose();
            }

            var pids = dev.RememberDescendants();
            Assert.Contains(newPid, pids);
            dev.Process.Signal(Posix.SigInt);
            await dev.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
            output.WriteLine($"dev exited with code {dev.Process.ExitCode}");
            var alive = pids.Where(Posix.IsAlive).ToList();
            Assert.True(alive.Count == 0, $"still alive after dev exited: [{string.Join(',', alive)}] (all known: [{string.Join(',', pids)}])");
            Assert.Equal(0, dev.Process.ExitCode);
        });
    }

    [Fact]
    public async Task Dev_NodeThatCannotStart_IsRestartedAfterGrowingPauses_AndSigintStillStopsEverything()
    {
        var basePort = FreePorts.DevBase(3);
        using var squatter = new System.Net.Sockets.TcpListener(IPAddress.Loopback, basePort + 102); // n2's peer port
        squatter.Start();
        await using var dev = DevRun.Start("dev-cannot-start", "--base-port", basePort.ToString());
        await Scenario.RunAsync(dev, async () =>
        {
            var paused = await dev.Process.WaitForLineAsync(l => l.StartsWith("n2 (pid ", StringComparison.Ordinal) && l.Contains("restarting it in"),
                TimeSpan.FromSeconds(45), "a restart with a pause for n2");
            output.WriteLine(string.Join("\n", dev.Process.Lines));
            Assert.Contains("times in a row", paused);
            var pids = dev.RememberDescendants().Concat(dev.PrintedNodes().Select(n => n.Pid)).Distinct().ToList();
            dev.Process.Signal(Posix.SigInt);
            await dev.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
            var after = dev.RememberDescendants().Where(Posix.IsAlive).ToList();
            Assert.True(after.Count == 0 && !pids.Any(Posix.IsAlive), $"still alive after dev exited: [{string.Join(',', pids.Concat(after).Where(Posix.IsAlive))}]");
        });
    }

    [Fact]
    public async Task Dev_ReusePort_SharedPortIsServedByMoreThanOneNode()
    {
        var basePort = FreePorts.DevBase(3);
        await using var dev = DevRun.Start("dev-reuse-port", "--base-port", basePort.ToString(), "--reuse-port");
        await Scenario.RunAsync(dev, async () =>
        {
            await dev.WaitReadyAsync();
            Assert.Contains(dev.Process.Lines, l => l.Contains($"http://127.0.0.1:{basePort}/", StringComparison.Ordinal) && l.Contains("shared"));
            using var client = Api.CreateClient(new Uri($"http://127.0.0.1:{basePort}/"));
            var answeredBy = new Dictionary<string, int>();
            for (var i = 0; i < SharedPortRequests; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "healthz");
                request.Headers.ConnectionClose = true; // a new connection each time: the kernel picks the listener per connection
                using var response = await client.SendAsync(request);
                response.EnsureSuccessStatusCode();
                var health = System.Text.Json.JsonSerializer.Deserialize<Health>(await response.Content.ReadAsStringAsync(), Api.Json)!;
                answeredBy[health.NodeId] = answeredBy.GetValueOrDefault(health.NodeId) + 1;
            }
            output.WriteLine($"shared port {basePort}: {string.Join(", ", answeredBy.Select(kv => $"{kv.Key} ×{kv.Value}"))}");
            Assert.True(answeredBy.Count > 1, $"every one of {SharedPortRequests} connections was answered by {string.Join(",", answeredBy.Keys)}");

            var pids = dev.RememberDescendants();
            dev.Process.Signal(Posix.SigInt);
            await dev.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
            Assert.DoesNotContain(pids, Posix.IsAlive);
        });
    }
}

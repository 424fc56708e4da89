using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Cairn.SystemTests.Harness;

namespace Cairn.SystemTests;

/// <summary>The leader cut off by the relays (both directions, every peer): minority never acknowledges, majority goes on, heal converges.</summary>
[Collection(SystemCollection.Name)]
public sealed class PartitionTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task PartitionedLeader_NeverAcknowledges_MajorityElectsAndContinues_HealConverges()
    {
        await using var cluster = await TestCluster.StartAsync("partition-leader", new ClusterSpec { Relays = true });
        await Scenario.RunAsync(cluster, async () =>
        {
            var old = await cluster.WaitForLeaderAsync();
            var majority = cluster.Names.Where(n => n != old).ToList();
            for (var i = 0; i < 5; i++)
            {
                using var put = await cluster.Client(old).PutAsync($"v1/before/{i}", $"{{\"i\":{i}}}");
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            }

            var clock = Stopwatch.StartNew();
            cluster.Partition(old);
            using var stopProbing = new CancellationTokenSource();
            var probes = new MinorityProbes(cluster.Client(old));
            var probing = probes.RunAsync(stopProbing.Token);

            var newLeader = await cluster.WaitForLeaderAsync(among: majority, not: old);
            output.WriteLine($"{old} cut off; {newLeader} leads the majority after {clock.ElapsedMilliseconds} ms");
            for (var i = 0; i < 10; i++)
            {
                using var put = await Retrying.PutAsync(cluster.Client(majority[i % 2]), $"v1/majority/{i}", $"{{\"i\":{i}}}", TestCluster.DefaultWait);
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            }
            foreach (var node in majority)
            {
                using var get = await cluster.Client(node).ReadAsync("v1/majority/9", "linearizable");
                Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            }

            // CheckQuorum: the cut-off leader notices it lost its quorum and steps down; its stale reads say so.
            await Poll.UntilAsync($"{old} steps down", TestCluster.DefaultWait, async () =>
            {
                var view = await cluster.Client(old).ClusterAsync();
                return (view.Role != "leader", view.ToString());
            });
            output.WriteLine($"{old} stepped down {clock.ElapsedMilliseconds} ms after the cut");
            using (var stale = await cluster.Client(old).ReadAsync("v1/before/0", "stale"))
            {
                Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
                Assert.Equal("true", stale.Header("X-Cairn-Stale"));
            }
            await Poll.UntilAsync("every kind of probe tried on the minority side twice", TestCluster.DefaultWait,
                () => Task.FromResult((probes.Writes >= 2 && probes.Reads >= 2, probes.ToString())));
            await stopProbing.CancelAsync();
            await probing;
            output.WriteLine($"minority probes: {probes}");
            Assert.True(probes.Acknowledged.IsEmpty, $"the cut-off node acknowledged: {string.Join("; ", probes.Acknowledged)}");

            cluster.HealAll();
            var revision = await cluster.WaitConvergedAsync(timeout: TimeSpan.FromSeconds(30));
            output.WriteLine($"healed; converged at revision {revision} {clock.ElapsedMilliseconds} ms after the cut");
            var (read, retried) = await Retrying.ReadAsync(cluster.Client(old), "v1/majority/9", "linearizable", TestCluster.DefaultWait);
            using (read)
            {
                if (retried.Count > 0) output.WriteLine($"after the heal {old} answered 503 {retried.Count}× first: {retried[0]}");
                Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            }
            // What the cut-off leader appended was never acknowledged and is not in the majority's log: it must be gone.
            foreach (var path in probes.WritePaths)
            {
                using var get = await cluster.Client(newLeader).ReadAsync(path, "linearizable");
                Assert.True(get.StatusCode == HttpStatusCode.NotFound, $"{path}, written only on the cut-off node, answers {(int)get.StatusCode}");
            }
        });
    }

    /// <summary>Writes, linearizable reads and lease reads sent over and over to the cut-off node; any 2xx is recorded.</summary>
    private sealed class MinorityProbes(HttpClient node)
    {
        private int _writes;
        private int _reads;

        public ConcurrentBag<string> Acknowledged { get; } = [];

        public ConcurrentBag<string> WritePaths { get; } = [];

        public ConcurrentBag<string> Answers { get; } = [];

        public int Writes => Volatile.Read(ref _writes);

        public int Reads => Volatile.Read(ref _reads);

        public async Task RunAsync(CancellationToken stop)
        {
            for (var k = 0; !stop.IsCancellationRequested; k++)
            {
                var path = $"v1/minority/{k}";
                WritePaths.Add(path);
                await ProbeAsync($"PUT {path}", () => node.PutAsync(path, $"{{\"k\":{k}}}", timeout: ProbeTimeout));
                Interlocked.Increment(ref _writes);
                await ProbeAsync("GET linearizable", () => node.ReadAsync("v1/before/0", "linearizable", ProbeTimeout));
                await ProbeAsync("GET lease", () => node.ReadAsync("v1/before/0", "lease", ProbeTimeout));
                Interlocked.Increment(ref _reads);
            }
        }

        public override string ToString() => $"{Writes} writes, {Reads} read pairs; answers: {string.Join(", ", Answers.GroupBy(a => a).Select(g => $"{g.Key} ×{g.Count()}"))}";

        private async Task ProbeAsync(string what, Func<Task<HttpResponseMessage>> send)
        {
            try
            {
                using var response = await send();
                Answers.Add($"{what.Split(' ')[0]} {(int)response.StatusCode}");
                if (response.StatusCode.IsSuccess()) Acknowledged.Add($"{what}: {(int)response.StatusCode}");
                else if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
                    Acknowledged.Add($"{what}: unexpected {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            catch (TimeoutException)
            {
                Answers.Add($"{what.Split(' ')[0]} timeout");
            }
        }
    }
}

using System.Globalization;
using System.Net;
using Cairn.FaultTests.Hostile;
using Cairn.SystemTests.Harness;

namespace Cairn.FaultTests.Scenarios;

/// <summary>
/// S12: hostile input on a running 3-node cluster — oversized and malformed HTTP requests (bodies, JSON, names, keys,
/// headers, encodings), clients dripping their headers, raw framing errors, and malformed or oversized frames on a
/// rogue connection to a peer port. Every bad request gets a clear 4xx (problem+json for the API's own refusals), the
/// nodes keep serving throughout, and nothing changes: the data and the state hash are as before.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class S12HostileInputTests(ITestOutputHelper output)
{
    private const int BodyBytesMax = 256 * 1024;
    private static readonly TimeSpan HeadersTimeout = TimeSpan.FromSeconds(2);

    private static readonly ClusterSpec Spec = new()
    {
        ExtraArgs =
        [
            $"--Cairn:Api:RequestBodyBytesMax={BodyBytesMax}",
            $"--Cairn:Api:RequestHeadersTimeoutMs={HeadersTimeout.TotalMilliseconds}",
        ],
    };

    [Fact]
    public async Task S12_HostileInput_GetsClear4xx_ServingContinues_NothingChanges()
    {
        await using var cluster = await TestCluster.StartAsync("faults-S12", Spec);
        await Scenario.RunAsync(cluster, async () =>
        {
            var leader = await cluster.WaitForLeaderAsync();
            var follower = cluster.Names.First(n => n != leader);
            for (var i = 0; i < 20; i++)
            {
                using var put = await Retrying.PutAsync(cluster.Client(leader), $"v1/hostile/doc{i}", $"{{\"i\":{i}}}", TestCluster.DefaultWait);
                Assert.True(put.IsSuccessStatusCode, $"baseline write {i}: {(int)put.StatusCode}");
            }
            var before = await cluster.WaitConvergedAsync();
            var hashBefore = await cluster.Client(leader).HashAsync();
            var dataBefore = await DataAsync(cluster, leader);
            var failures = new List<string>();

            foreach (var node in new[] { leader, follower })
            {
                foreach (var c in HostileRequests.Cases(BodyBytesMax))
                {
                    if (await HostileRequests.CheckAsync(cluster.Client(node), c) is { } wrong) failures.Add($"{node}: {wrong}");
                }
                foreach (var (label, request, status) in HostileSlowClients.RawCases())
                {
                    var (got, head) = await HostileSlowClients.SendRawAsync(cluster[node].HttpPort, request);
                    output.WriteLine($"{node} raw '{label}': {head}");
                    if (got != status) failures.Add($"{node}: raw '{label}': expected {status}, got '{head}'");
                }
            }
            output.WriteLine($"HTTP cases: {HostileRequests.Cases(BodyBytesMax).Count + HostileSlowClients.RawCases().Count} per node on {leader} and {follower}");

            // Slow clients drip headers while a normal client keeps working; the server must drop them after its header timeout.
            var dripping = HostileSlowClients.DripAsync(cluster[leader].HttpPort, 20, TimeSpan.FromMilliseconds(250), HeadersTimeout * 5);
            var served = 0;
            while (!dripping.IsCompleted)
            {
                using var read = await cluster.Client(leader).ReadAsync("v1/hostile/doc1", "linearizable", TimeSpan.FromSeconds(5));
                if (read.StatusCode == HttpStatusCode.OK) served++;
                else failures.Add($"a linearizable read during the slow-client attack answered {(int)read.StatusCode}");
            }
            var drips = await dripping;
            output.WriteLine($"slow clients: {drips.Count(d => d.Closed)}/{drips.Count} closed by the server (e.g. '{drips[0].Answer}' after {drips[0].After.TotalSeconds:F1} s); {served} normal reads served meanwhile");
            if (drips.Any(d => !d.Closed)) failures.Add($"{drips.Count(d => !d.Closed)} slow clients were still connected after {HeadersTimeout.TotalSeconds * 5} s");
            if (served == 0) failures.Add("no normal read was served during the slow-client attack");

            // A rogue connection to each node's peer port, impersonating another member after a valid-looking handshake.
            foreach (var node in cluster.Names)
            {
                var other = cluster.Names.First(n => n != node);
                foreach (var (label, bytes) in RoguePeer.Cases(cluster.ClusterId, ulong.Parse(other[1..], CultureInfo.InvariantCulture)))
                {
                    using var rogue = await RawSocket.ConnectAsync(cluster[node].PeerPort);
                    await rogue.SendAsync(bytes);
                    var (_, closed, _) = await rogue.ReadUntilClosedAsync(TimeSpan.FromSeconds(5));
                    if (!closed) failures.Add($"{node} kept a rogue peer connection open after '{label}'");
                    using var health = await cluster.Client(node).SendAsync(HttpMethod.Get, "healthz", timeout: TimeSpan.FromSeconds(5));
                    if (health.StatusCode != HttpStatusCode.OK) failures.Add($"{node} unhealthy after rogue '{label}': {(int)health.StatusCode}");
                }
            }
            output.WriteLine($"rogue peer cases: {RoguePeer.Cases(cluster.ClusterId, 1).Count} per node, all on {cluster.Names.Count()} nodes");

            // Nothing changed: same data; same state hash when no internal entry moved the revision.
            var after = await cluster.WaitConvergedAsync();
            var hashAfter = await cluster.Client(leader).HashAsync();
            var dataAfter = await DataAsync(cluster, leader);
            output.WriteLine($"state before: revision {before} hash {hashBefore.Hash[..16]}; after: revision {after} hash {hashAfter.Hash[..16]}");
            if (dataAfter != dataBefore) failures.Add($"the data changed:\nbefore {Trim(dataBefore)}\nafter  {Trim(dataAfter)}");
            if (after == before && hashAfter.Hash != hashBefore.Hash) failures.Add("the state hash changed at the same revision");
            foreach (var node in cluster.Names)
            {
                using var put = await Retrying.PutAsync(cluster.Client(node), "v1/hostile/after", $"{{\"node\":\"{node}\"}}", TestCluster.DefaultWait);
                if (!put.IsSuccessStatusCode) failures.Add($"{node} could not write after the attacks: {(int)put.StatusCode}");
            }
            Assert.True(failures.Count == 0, $"{failures.Count} hostile-input failures:\n{string.Join('\n', failures)}");
        });
    }

    private static string Trim(string s) => s.Length > 600 ? s[..600] + $"… ({s.Length} chars)" : s;

    private static async Task<string> DataAsync(TestCluster cluster, string node)
    {
        using var docs = await cluster.Client(node).SendAsync(HttpMethod.Get, "v1/hostile?consistency=linearizable&limit=1000");
        using var keys = await cluster.Client(node).SendAsync(HttpMethod.Get, "v1/_kv?prefix=hostile/&consistency=linearizable&limit=1000");
        var text = await docs.Content.ReadAsStringAsync() + await keys.Content.ReadAsStringAsync();
        return System.Text.RegularExpressions.Regex.Replace(text, "\"revision\":\\d+,", ""); // list answers carry the store revision
    }
}

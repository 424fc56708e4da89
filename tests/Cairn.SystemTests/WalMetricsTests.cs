using System.Globalization;
using System.Net;
using Cairn.SystemTests.Harness;

namespace Cairn.SystemTests;

/// <summary>The write-ahead log's counters on /metrics: what bench/cluster3.sh turns into fsyncs/s and writes per fsync.</summary>
[Collection(SystemCollection.Name)]
public sealed class WalMetricsTests
{
    private const int Writes = 20;

    [Fact]
    public async Task EveryDurableNode_CountsItsAppendsAndFsyncs()
    {
        await using var cluster = await TestCluster.StartAsync("wal-metrics");
        await Scenario.RunAsync(cluster, async () =>
        {
            var leader = await cluster.WaitForLeaderAsync();
            for (var i = 0; i < Writes; i++)
            {
                using var put = await cluster.Client(leader).PutAsync($"v1/wal/{i}", "{\"i\":" + i + "}");
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            }
            await cluster.WaitConvergedAsync();
            foreach (var name in cluster.Names)
            {
                // /metrics reads each counter on its own, so an append racing the scrape (the node keeps working
                // after convergence) may show its batch before its fsync: a node that really skipped an fsync
                // never satisfies the condition, one caught mid-append does on the next scrape.
                await Poll.UntilAsync($"{name}: every appended batch fsynced", TimeSpan.FromSeconds(10), async () =>
                {
                    var text = await cluster.Client(name).GetStringAsync("metrics");
                    var entries = Counter(text, "cairn_wal_entries_appended_total");
                    var batches = Counter(text, "cairn_wal_append_batches_total");
                    var fsyncs = Counter(text, "cairn_wal_fsyncs_total");
                    Assert.True(entries >= Writes, $"{name}: {entries} entries appended, expected at least the {Writes} writes");
                    Assert.True(batches >= 1 && batches <= entries, $"{name}: {batches} batches for {entries} entries");
                    Assert.True(Counter(text, "cairn_wal_bytes_appended_total") > entries, $"{name}: bytes appended");
                    // Durable by default: every batch is fsynced before it is acknowledged (PerBatch).
                    return (fsyncs >= batches, $"{fsyncs} fsyncs for {batches} batches");
                });
            }
        });
    }

    private static double Counter(string metrics, string name)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"{name} missing from /metrics");
        return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
    }
}

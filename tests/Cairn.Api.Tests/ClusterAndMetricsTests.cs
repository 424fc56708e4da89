using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Cairn.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed partial class ClusterAndMetricsTests(ApiServer server)
{
    [Fact]
    public async Task Metrics_CountRequestsByRouteAndStatus_InPrometheusTextFormat()
    {
        var before = await CounterAsync("cairn_http_requests_total", "method=\"GET\",route=\"/v1/{collection}/{id}\",status=\"404\"");
        for (var i = 0; i < 3; i++)
        {
            using var missing = await server.Http.GetAsync("/v1/metrics-test/absent");
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
        var after = await CounterAsync("cairn_http_requests_total", "method=\"GET\",route=\"/v1/{collection}/{id}\",status=\"404\"");
        Assert.Equal(before + 3, after);

        using var response = await server.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var text = await response.Content.ReadAsStringAsync();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            Assert.Matches(PrometheusLine(), line);
        Assert.Contains("# TYPE cairn_proposal_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("cairn_raft_applied_index ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_CountProposalsByOutcome()
    {
        var before = await CounterAsync("cairn_proposals_total", "outcome=\"ok\"");
        using var put = await server.Http.PutAsync("/v1/metrics-test/one", ApiServer.Json("{\"a\":1}"));
        Assert.True(put.IsSuccessStatusCode);
        Assert.Equal(before + 1, await CounterAsync("cairn_proposals_total", "outcome=\"ok\""));
    }

    [Fact]
    public async Task Cluster_OnASingleNode_ShowsOneMemberAndRefusesMembershipChanges()
    {
        using var view = await server.Http.GetAsync("/v1/_cluster");
        Assert.Equal(HttpStatusCode.OK, view.StatusCode);
        var body = await ApiServer.BodyAsync(view);
        Assert.Equal(1, body.GetProperty("members").GetArrayLength());
        Assert.True(body.GetProperty("ready").GetBoolean());

        using var add = await server.Http.PostAsync("/v1/_cluster/members", ApiServer.Json("{\"name\":\"n2\",\"peerAddress\":\"127.0.0.1:1\"}"));
        await ApiServer.AssertProblemAsync(add, 409, "membership-refused");
        using var remove = await server.Http.DeleteAsync("/v1/_cluster/members/n2");
        await ApiServer.AssertProblemAsync(remove, 409, "membership-refused");
    }

    [Fact]
    public async Task Membership_WithAnInvalidNodeName_IsBadInput_BeforeAnythingElse()
    {
        using var remove = await server.Http.DeleteAsync("/v1/_cluster/members/BAD");
        await ApiServer.AssertProblemAsync(remove, 400, "invalid-member");
        using var add = await server.Http.PostAsync("/v1/_cluster/members", ApiServer.Json("{\"name\":\"no spaces\",\"peerAddress\":\"127.0.0.1:1\"}"));
        await ApiServer.AssertProblemAsync(add, 400, "invalid-member");
        using var transfer = await server.Http.PostAsync("/v1/_cluster/leader/transfer", ApiServer.Json("{\"to\":\"N_1\"}"));
        await ApiServer.AssertProblemAsync(transfer, 400, "invalid-member");
    }

    [Fact]
    public async Task StateHash_ChangesWithTheData_AndNamesItsRevision()
    {
        var first = await ApiServer.BodyAsync(await server.Http.GetAsync("/v1/_cluster/hash"));
        using var put = await server.Http.PutAsync("/v1/hash-test/x", ApiServer.Json("{\"v\":1}"));
        var second = await ApiServer.BodyAsync(await server.Http.GetAsync("/v1/_cluster/hash"));
        Assert.True(second.GetProperty("revision").GetInt64() > first.GetProperty("revision").GetInt64());
        Assert.NotEqual(first.GetProperty("hash").GetString(), second.GetProperty("hash").GetString());
        Assert.Equal(64, second.GetProperty("hash").GetString()!.Length);
    }

    [Fact]
    public async Task ReservedKeys_AreReadOnly_AndNothingIsWritten()
    {
        var revision = await server.RevisionAsync();
        using var put = await server.Http.PutAsync("/v1/_kv/_cairn/members/n9", new StringContent("x"));
        await ApiServer.AssertProblemAsync(put, 400, "invalid-key");
        using var delete = await server.Http.DeleteAsync("/v1/_kv/_cairn/members/n9");
        await ApiServer.AssertProblemAsync(delete, 400, "invalid-key");
        using var txn = await server.Http.PostAsync("/v1/_txn", ApiServer.Json(
            "{\"compare\":[],\"success\":[{\"op\":\"put\",\"key\":\"_cairn/x\",\"value\":\"v\"}],\"failure\":[]}"));
        await ApiServer.AssertProblemAsync(txn, 400, "invalid-key");
        Assert.Equal(revision, await server.RevisionAsync());
    }

    private async Task<double> CounterAsync(string name, string labels)
    {
        var text = await server.Http.GetStringAsync("/metrics");
        var prefix = $"{name}{{{labels}}} ";
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("""^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{([a-z_]+="[^"]*",?)+\})? [-+0-9.eE]+|[a-z_]+(\{.*\})? \+Inf)$""")]
    private static partial Regex PrometheusLine();
}

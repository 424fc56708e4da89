using System.Net;
using System.Text;
using static Cairn.Api.Tests.ApiServer;

namespace Cairn.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class TxnApiTests(ApiServer server)
{
    private readonly HttpClient _http = server.Http;
    private static string NewCollection() => "t" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Txn_WhenComparesHold_AppliesSuccessBranchAtomically()
    {
        var c = NewCollection();
        using var put = await _http.PutAsync($"/v1/{c}/acct", Json("{\"balance\":10}"));
        var rev = (await BodyAsync(put)).GetProperty("revision").GetInt64();
        var txn = $$"""
        { "compare": [ { "collection": "{{c}}", "id": "acct", "field": "modRevision", "op": "==", "value": {{rev}} },
                       { "collection": "{{c}}", "id": "log", "field": "exists", "op": "==", "value": false } ],
          "success": [ { "op": "put", "collection": "{{c}}", "id": "acct", "document": { "balance": 5 } },
                       { "op": "put", "collection": "{{c}}", "id": "log", "document": { "spent": 5 } },
                       { "op": "put", "key": "{{c}}/k", "value": "v" },
                       { "op": "get", "collection": "{{c}}", "id": "acct" } ],
          "failure": [ { "op": "get", "collection": "{{c}}", "id": "acct" } ] }
        """;
        using var response = await _http.PostAsync("/v1/_txn", Json(txn));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await BodyAsync(response);
        Assert.True(body.GetProperty("succeeded").GetBoolean());
        var results = body.GetProperty("results");
        Assert.Equal(4, results.GetArrayLength());
        Assert.Equal(5, results[3].GetProperty("document").GetProperty("balance").GetInt32());
        var txnRevision = body.GetProperty("revision").GetInt64();
        Assert.Equal(txnRevision, results[0].GetProperty("revision").GetInt64());
        Assert.Equal(txnRevision, results[1].GetProperty("revision").GetInt64());
    }

    [Fact]
    public async Task Txn_WhenACompareFails_AppliesFailureBranch()
    {
        var c = NewCollection();
        using var put = await _http.PutAsync($"/v1/{c}/a", Json("{\"v\":1}"));
        var txn = $$"""
        { "compare": [ { "collection": "{{c}}", "id": "a", "field": "version", "op": ">", "value": 5 } ],
          "success": [ { "op": "delete", "collection": "{{c}}", "id": "a" } ],
          "failure": [ { "op": "get", "collection": "{{c}}", "id": "a" }, { "op": "get", "key": "{{c}}-missing" } ] }
        """;
        using var response = await _http.PostAsync("/v1/_txn", Json(txn));
        var body = await BodyAsync(response);
        Assert.False(body.GetProperty("succeeded").GetBoolean());
        Assert.Equal(1, body.GetProperty("results")[0].GetProperty("document").GetProperty("v").GetInt32());
        Assert.False(body.GetProperty("results")[1].GetProperty("found").GetBoolean());
        using var still = await _http.GetAsync($"/v1/{c}/a");
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }

    [Fact]
    public async Task Txn_WhenAnOperationPreconditionFails_AbortsWholeBranch()
    {
        var c = NewCollection();
        var before = await server.RevisionAsync();
        var txn = $$"""
        { "success": [ { "op": "put", "collection": "{{c}}", "id": "first", "document": { } },
                       { "op": "put", "collection": "{{c}}", "id": "second", "document": { }, "ifRevision": 12345 } ] }
        """;
        using var response = await _http.PostAsync("/v1/_txn", Json(txn));
        await AssertProblemAsync(response, 409, "transaction-aborted");
        using var first = await _http.GetAsync($"/v1/{c}/first");
        await AssertProblemAsync(first, 404, "not-found");
    }

    [Theory]
    [InlineData("""{ "compare": 5 }""")]
    [InlineData("""{ "success": [ { "op": "explode", "key": "k" } ] }""")]
    [InlineData("""{ "success": [ { "op": "put", "collection": "UPPER", "id": "x", "document": {} } ] }""")]
    [InlineData("""{ "success": [ { "op": "put", "collection": "c", "key": "k", "id": "x", "document": {} } ] }""")]
    [InlineData("""{ "compare": [ { "key": "k", "field": "version", "op": "~", "value": 1 } ] }""")]
    [InlineData("""{ "compare": [ { "key": "k", "field": "exists", "op": "<", "value": true } ] }""")]
    [InlineData("""{ "success": [ { "op": "put", "collection": "c", "id": "x", "document": [1] } ] }""")]
    [InlineData("""{ "then": [] }""")]
    public async Task Txn_Malformed_IsRefusedWithInvalidTransactionOrName(string txn)
    {
        var before = await server.RevisionAsync();
        using var response = await _http.PostAsync("/v1/_txn", Json(txn));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var type = (await BodyAsync(response)).GetProperty("type").GetString();
        Assert.True(type is "urn:cairn:problem:invalid-transaction" or "urn:cairn:problem:invalid-name", type);
        Assert.Equal(before, await server.RevisionAsync());
    }

    [Fact]
    public async Task Txn_OverOperationLimit_IsTooLarge()
    {
        var ops = string.Join(",", Enumerable.Range(0, 129).Select(i => $$"""{ "op": "get", "key": "k{{i}}" }"""));
        var before = await server.RevisionAsync();
        using var response = await _http.PostAsync("/v1/_txn", new StringContent($$"""{ "success": [ {{ops}} ] }""", Encoding.UTF8, "application/json"));
        await AssertProblemAsync(response, 413, "too-large");
        Assert.Equal(before, await server.RevisionAsync());
    }
}

using System.Net;
using System.Text;
using static Cairn.Api.Tests.ApiServer;

namespace Cairn.Api.Tests;

/// <summary>Every bad input gets a clear problem+json with a stable type, and changes nothing.</summary>
[Collection(ApiCollection.Name)]
public sealed class LimitsAndErrorsTests(ApiServer server)
{
    private readonly HttpClient _http = server.Http;

    private async Task AssertRefusedAsync(Func<Task<HttpResponseMessage>> send, int status, string type)
    {
        var before = await server.RevisionAsync();
        using var response = await send();
        await AssertProblemAsync(response, status, type);
        Assert.Equal(before, await server.RevisionAsync());
    }

    [Fact]
    public Task Body_OverRequestLimit_IsTooLarge() =>
        AssertRefusedAsync(() => _http.PutAsync("/v1/limits/big", Json("{\"x\":\"" + new string('a', 2 * 1024 * 1024) + "\"}")), 413, "too-large");

    [Fact]
    public Task ChunkedBody_OverRequestLimit_IsTooLarge()
    {
        return AssertRefusedAsync(() =>
        {
            var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"x\":\"" + new string('a', 2 * 1024 * 1024 + 10) + "\"}")));
            content.Headers.ContentType = new("application/json");
            var request = new HttpRequestMessage(HttpMethod.Put, "/v1/limits/chunked") { Content = content };
            request.Headers.TransferEncodingChunked = true;
            return _http.SendAsync(request);
        }, 413, "too-large");
    }

    [Fact]
    public Task Document_OverValueLimit_IsTooLarge() =>
        AssertRefusedAsync(() => _http.PutAsync("/v1/limits/doc", Json("{\"x\":\"" + new string('a', 1024 * 1024) + "\"}")), 413, "too-large");

    [Fact]
    public Task KvValue_OverValueLimit_IsTooLarge() =>
        AssertRefusedAsync(() => _http.PutAsync("/v1/_kv/limits-value", new ByteArrayContent(new byte[1024 * 1024 + 1])), 413, "too-large");

    [Fact]
    public Task DocumentId_OverKeyLimit_IsInvalidKey() =>
        AssertRefusedAsync(() => _http.PutAsync("/v1/limits/" + new string('k', 513), Json("{}")), 400, "invalid-key");

    [Fact]
    public Task DocumentId_AtKeyLimitInMultibyteUtf8_IsCountedInBytes() =>
        // 171 × 'é' = 342 bytes (fits), 257 × 'é' = 514 bytes (does not).
        AssertRefusedAsync(() => _http.PutAsync("/v1/limits/" + Uri.EscapeDataString(new string('é', 257)), Json("{}")), 400, "invalid-key");

    [Fact]
    public Task RawKey_OverKeyLimit_IsInvalidKey() =>
        AssertRefusedAsync(() => _http.PutAsync("/v1/_kv/" + new string('k', 513), new ByteArrayContent([1])), 400, "invalid-key");

    [Theory]
    [InlineData("Users")]
    [InlineData("_private")]
    [InlineData("-dash")]
    [InlineData("has.dot")]
    [InlineData("a2345678901234567890123456789012345678901234567890123456789012345")] // 65 characters
    public Task CollectionName_Invalid_IsInvalidName(string name) =>
        AssertRefusedAsync(() => _http.PutAsync($"/v1/{name}/x", Json("{}")), 400, "invalid-name");

    [Theory]
    [InlineData("{\"a\":")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{'a':1}")]
    [InlineData("")]
    [InlineData("[1,2]")]
    [InlineData("42")]
    [InlineData("{\"a\":1} {\"b\":2}")]
    [InlineData("{\"a\":\"\\ud800\"}")]
    public Task Document_MalformedOrNotAnObject_IsInvalidJson(string json) =>
        AssertRefusedAsync(() => _http.PutAsync("/v1/limits/bad", Json(json)), 400, "invalid-json");

    [Fact]
    public Task Document_WithInvalidUtf8_IsInvalidJson()
    {
        var bytes = new byte[] { (byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)'}' };
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");
        return AssertRefusedAsync(() => _http.PutAsync("/v1/limits/utf8", content), 400, "invalid-json");
    }

    [Fact]
    public Task Document_NestedDeeperThanLimit_IsJsonTooDeep() =>
        AssertRefusedAsync(() => _http.PutAsync("/v1/limits/deep", Json("{\"a\":" + new string('[', 70) + new string(']', 70) + "}")), 400, "json-too-deep");

    [Fact]
    public async Task Document_NestedAtLimit_IsAccepted()
    {
        // 64 levels in all: the object plus 63 arrays.
        using var response = await _http.PutAsync("/v1/limits/deep-ok", Json("{\"a\":" + new string('[', 63) + new string(']', 63) + "}"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/xml")]
    public Task Document_WithWrongContentType_IsUnsupportedMediaType(string type) =>
        AssertRefusedAsync(() => _http.PutAsync("/v1/limits/type", Json("{}", type)), 415, "unsupported-media-type");

    [Theory]
    [InlineData("If-Match", "42")]
    [InlineData("If-Match", "W/\"42\"")]
    [InlineData("If-Match", "\"-1\"")]
    [InlineData("If-None-Match", "\"42\"")]
    [InlineData("X-Cairn-Request-Id", "has space")]
    public Task Write_WithInvalidHeader_IsInvalidHeader(string name, string value) =>
        AssertRefusedAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, "/v1/limits/hdr") { Content = Json("{}") };
            request.Headers.TryAddWithoutValidation(name, value);
            return _http.SendAsync(request);
        }, 400, "invalid-header");

    [Theory]
    [InlineData("consistency=strong")]
    [InlineData("limit=0")]
    [InlineData("limit=100001")]
    [InlineData("limit=abc")]
    [InlineData("consistency=stale&minRevision=3")]
    [InlineData("minRevision=-1")]
    public Task List_WithInvalidParameter_IsInvalidParameter(string query) =>
        AssertRefusedAsync(() => _http.GetAsync($"/v1/limits?{query}"), 400, "invalid-parameter");

    [Fact]
    public Task UnknownRoute_IsNotFoundProblem() =>
        AssertRefusedAsync(() => _http.GetAsync("/nothing/here"), 404, "not-found");

    [Fact]
    public Task WrongMethod_IsMethodNotAllowedProblem() =>
        AssertRefusedAsync(() => _http.PostAsync("/v1/limits/x", Json("{}")), 405, "method-not-allowed");
}

using System.Net;
using System.Text.Json;

namespace Cairn.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class OperationsTests(ApiServer server)
{
    [Fact]
    public async Task HealthAndReady_AnswerOk()
    {
        using var health = await server.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var ready = await server.Http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready", (await ApiServer.BodyAsync(ready)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task OpenApiDocument_DescribesEveryPublicRoute()
    {
        using var response = await server.Http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = doc.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var expected in new[] { "/v1/_collections", "/v1/{collection}", "/v1/{collection}/{id}", "/v1/_kv", "/v1/_txn", "/healthz", "/readyz" })
            Assert.Contains(expected, paths);
    }
}

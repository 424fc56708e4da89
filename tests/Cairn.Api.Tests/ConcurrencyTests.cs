using System.Net;
using System.Text.Json;
using static Cairn.Api.Tests.ApiServer;

namespace Cairn.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class ConcurrencyTests(ApiServer server)
{
    /// <summary>100 clients increment one counter with If-Match and retry on conflict: no update is lost.</summary>
    [Fact]
    public async Task ConcurrentCasIncrements_LoseNoUpdate()
    {
        const int clients = 100;
        const int incrementsPerClient = 5;
        const int attemptsMax = 10_000;
        var c = "cas" + Guid.NewGuid().ToString("N")[..10];
        using (var create = await server.Http.PutAsync($"/v1/{c}/counter", Json("{\"n\":0}"))) create.EnsureSuccessStatusCode();

        var conflicts = 0;
        var tasks = Enumerable.Range(0, clients).Select(async _ =>
        {
            using var http = new HttpClient { BaseAddress = server.Address };
            var done = 0;
            for (var attempt = 0; done < incrementsPerClient; attempt++)
            {
                Assert.True(attempt < attemptsMax, "too many attempts: livelock");
                using var get = await http.GetAsync($"/v1/{c}/counter");
                get.EnsureSuccessStatusCode();
                var etag = get.Headers.ETag!.Tag;
                var n = JsonDocument.Parse(await get.Content.ReadAsStringAsync()).RootElement.GetProperty("n").GetInt64();
                using var put = new HttpRequestMessage(HttpMethod.Put, $"/v1/{c}/counter") { Content = Json($"{{\"n\":{n + 1}}}") };
                put.Headers.TryAddWithoutValidation("If-Match", etag);
                using var response = await http.SendAsync(put);
                if (response.StatusCode == HttpStatusCode.OK) done++;
                else if (response.StatusCode == HttpStatusCode.PreconditionFailed) Interlocked.Increment(ref conflicts);
                else Assert.Fail($"unexpected {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }).ToList();
        await Task.WhenAll(tasks);

        using var final = await server.Http.GetAsync($"/v1/{c}/counter");
        var value = JsonDocument.Parse(await final.Content.ReadAsStringAsync()).RootElement.GetProperty("n").GetInt64();
        Assert.Equal(clients * incrementsPerClient, value);
        Assert.Equal((clients * incrementsPerClient + 1).ToString(), final.Headers.GetValues("X-Cairn-Version").Single());
    }
}

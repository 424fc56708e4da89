using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Cairn.Api.Watch;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Api.Tests.Watch;

/// <summary>A real single-node server on an ephemeral loopback port with its own settings and manual clock.</summary>
public sealed class TestNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestNode(WebApplication app, ManualClock clock, Uri address)
    {
        _app = app;
        Clock = clock;
        Address = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public ManualClock Clock { get; }
    public Uri Address { get; }
    public HttpClient Http { get; }
    public ChangeFeed Feed => _app.Services.GetRequiredService<ChangeFeed>();

    /// <param name="settings">Configuration as <c>Section:Key=value</c>, e.g. <c>Cairn:Watch:QueueEventsMax=8</c>.</param>
    public static async Task<TestNode> StartAsync(params string[] settings)
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        string[] args = ["--urls", "http://127.0.0.1:0", .. settings.Select(s => "--" + s)];
        var app = CairnApi.BuildSingleNode(args, b => b.Services.AddSingleton<TimeProvider>(clock));
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new TestNode(app, clock, new Uri(address));
    }

    public async Task<long> PutDocAsync(string collection, string id, string json = "{}")
    {
        using var response = await Http.PutAsync($"/v1/{collection}/{id}", new StringContent(json, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("revision").GetInt64();
    }

    public async Task<long> DeleteDocAsync(string collection, string id)
    {
        using var response = await Http.DeleteAsync($"/v1/{collection}/{id}");
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("revision").GetInt64();
    }

    public async Task<long> PutKeyAsync(string key, string value, string? ttl = null)
    {
        using var response = await Http.PutAsync($"/v1/_kv/{key}" + (ttl is null ? "" : "?ttl=" + ttl), new ByteArrayContent(Encoding.UTF8.GetBytes(value)));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("revision").GetInt64();
    }

    public async Task<long> RevisionAsync()
    {
        using var response = await Http.GetAsync("/v1/_collections?consistency=stale");
        response.EnsureSuccessStatusCode();
        return long.Parse(response.Headers.GetValues("X-Cairn-Revision").Single());
    }

    /// <summary>The items a client state should hold for a collection, read through the API.</summary>
    public async Task<Dictionary<string, (long Revision, string? Value)>> CollectionAsync(string collection)
    {
        var result = new Dictionary<string, (long, string?)>(StringComparer.Ordinal);
        using var response = await Http.GetAsync($"/v1/{collection}?limit=1000");
        response.EnsureSuccessStatusCode();
        foreach (var item in (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray())
            result[$"{collection}/{item.GetProperty("id").GetString()}"] = (item.GetProperty("revision").GetInt64(), item.GetProperty("document").GetRawText());
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Api.Tests;

/// <summary>A real single-node server on an ephemeral loopback port, with a manual clock.</summary>
public sealed class ApiServer : IAsyncLifetime
{
    private WebApplication? _app;

    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    public HttpClient Http { get; private set; } = null!;
    public Uri Address { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _app = CairnApi.BuildSingleNode(["--urls", "http://127.0.0.1:0"], b => b.Services.AddSingleton<TimeProvider>(Clock));
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Address = new Uri(address);
        Http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>The store revision, read through the API; unchanged revision = nothing was applied.</summary>
    public async Task<long> RevisionAsync()
    {
        using var response = await Http.GetAsync("/v1/_collections");
        response.EnsureSuccessStatusCode();
        return long.Parse(response.Headers.GetValues("X-Cairn-Revision").Single());
    }

    public static StringContent Json(string json, string type = "application/json") => new(json, Encoding.UTF8, type);

    public static async Task<JsonElement> BodyAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>());

    /// <summary>Asserts a problem+json answer with this status and type suffix.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, int status, string type)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal("urn:cairn:problem:" + type, body.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("detail").GetString()));
        Assert.Equal(status, body.GetProperty("status").GetInt32());
        return body;
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiServer>
{
    public const string Name = "api";
}

using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Cairn.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cairn.UiTests.Infrastructure;

/// <summary>
/// A real single node hosted in the test process on Kestrel at 127.0.0.1:0 (what <c>cairn serve</c> runs without peers),
/// plus an HttpClient that plays the "second client" of the tests.
/// </summary>
public sealed class UiServer : IAsyncLifetime
{
    private WebApplication? _app;

    public Uri Address { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _app = CairnApi.BuildSingleNode(["--urls", "http://127.0.0.1:0"], b => b.Logging.SetMinimumLevel(LogLevel.Warning));
        await _app.StartAsync();
        Address = new Uri(_app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        Http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(15) };
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

    /// <summary>PUT a document as another client would; returns the new revision.</summary>
    public async Task<long> PutAsync(string path, string json, long? ifMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "v1/" + path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (ifMatch is { } rev) request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{rev}\""));
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PUT {path} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("revision").GetInt64();
    }

    /// <summary>GET a document: (status, body, revision from the ETag).</summary>
    public async Task<(int Status, string Body, long? Revision)> GetAsync(string path)
    {
        using var response = await Http.GetAsync("v1/" + path);
        var body = await response.Content.ReadAsStringAsync();
        long? revision = response.Headers.ETag is { } tag ? long.Parse(tag.Tag.Trim('"')) : null;
        return ((int)response.StatusCode, body, revision);
    }
}

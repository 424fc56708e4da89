using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cairn.LoadTest.Tests;

/// <summary>How the fake server misbehaves.</summary>
public enum Fault
{
    None,

    /// <summary>GET answers the first version ever written to the key, with that version's revision.</summary>
    StaleReads,

    /// <summary>GET answers the right revision with one byte of the value changed.</summary>
    CorruptValues,

    /// <summary>Every <see cref="FakeCairnServer.FailEvery"/>-th request gets a 503 unavailable problem.</summary>
    Unavailable,
}

/// <summary>
/// A tiny Kestrel app on 127.0.0.1:0 that speaks enough of Cairn's API for the load tester
/// (GET/PUT of documents and raw keys, ETag revisions, If-Match / If-None-Match, problem+json),
/// with injectable faults: stale or corrupt reads, 503s, and a stall (every request arriving
/// during a window waits for its end, the way a GC pause or a lost leader stalls a node).
/// </summary>
public sealed class FakeCairnServer : IAsyncDisposable
{
    private readonly Dictionary<string, List<(long Revision, byte[] Body)>> _data = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private WebApplication? _app;
    private long _revision;
    private long _requests;
    private long _stallUntil;

    public Fault Fault { get; init; }
    public int FailEvery { get; init; } = 5;

    /// <summary>The request with this number (1-based) opens a stall window of <see cref="StallFor"/>; 0 = never.</summary>
    public long StallAtRequest { get; init; }

    public TimeSpan StallFor { get; init; }

    public Uri Address { get; private set; } = null!;
    public long Requests => Interlocked.Read(ref _requests);

    public static async Task<FakeCairnServer> StartAsync(FakeCairnServer server)
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/v1/{collection}/{id}", (HttpContext c, string collection, string id) => server.GetAsync(c, collection + "/" + id));
        app.MapPut("/v1/{collection}/{id}", (HttpContext c, string collection, string id) => server.PutAsync(c, collection + "/" + id));
        app.MapGet("/v1/_kv/{**key}", (HttpContext c, string key) => server.GetAsync(c, "_kv/" + key));
        app.MapPut("/v1/_kv/{**key}", (HttpContext c, string key) => server.PutAsync(c, "_kv/" + key));
        await app.StartAsync();
        server._app = app;
        server.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        return server;
    }

    private async Task<bool> EnterAsync(HttpContext context)
    {
        var n = Interlocked.Increment(ref _requests);
        if (n == StallAtRequest) Volatile.Write(ref _stallUntil, Stopwatch.GetTimestamp() + (long)(StallFor.TotalSeconds * Stopwatch.Frequency));
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), Volatile.Read(ref _stallUntil));
        // The stall is the fault under test: the server, not the test, is what waits here.
        if (wait > TimeSpan.Zero) await Task.Delay(wait, context.RequestAborted);
        if (Fault == Fault.Unavailable && n % FailEvery == 0)
        {
            await ProblemAsync(context, 503, "unavailable");
            return false;
        }
        return true;
    }

    private async Task GetAsync(HttpContext context, string key)
    {
        if (!await EnterAsync(context)) return;
        (long Revision, byte[] Body) version;
        lock (_lock)
        {
            if (!_data.TryGetValue(key, out var versions))
            {
                version = default;
            }
            else
            {
                version = Fault == Fault.StaleReads ? versions[0] : versions[^1];
            }
        }
        if (version.Body is null)
        {
            await ProblemAsync(context, 404, "not-found");
            return;
        }
        var body = version.Body;
        if (Fault == Fault.CorruptValues)
        {
            body = (byte[])body.Clone();
            body[^3] ^= 1;
        }
        context.Response.Headers.ETag = "\"" + version.Revision + "\"";
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(body);
    }

    private async Task PutAsync(HttpContext context, string key)
    {
        if (!await EnterAsync(context)) return;
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var ifMatch = context.Request.Headers.IfMatch.ToString();
        var createOnly = context.Request.Headers.IfNoneMatch.ToString() == "*";
        long revision;
        bool created;
        string? refused = null;
        lock (_lock)
        {
            _data.TryGetValue(key, out var versions);
            var current = versions?[^1].Revision;
            if (createOnly && current is not null) refused = "already-exists";
            else if (ifMatch.Length > 0 && (current is null || ifMatch != "\"" + current + "\"")) refused = "precondition-failed";
            revision = refused is null ? ++_revision : 0;
            created = versions is null;
            if (refused is null)
            {
                if (versions is null) _data[key] = versions = [];
                versions.Add((revision, buffer.ToArray()));
            }
        }
        if (refused is not null)
        {
            await ProblemAsync(context, 412, refused);
            return;
        }
        context.Response.StatusCode = created ? 201 : 200;
        context.Response.Headers.ETag = "\"" + revision + "\"";
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync($"{{\"id\":\"{key}\",\"revision\":{revision},\"version\":1}}");
    }

    private static async Task ProblemAsync(HttpContext context, int status, string type)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        await context.Response.WriteAsync($"{{\"type\":\"urn:cairn:problem:{type}\",\"title\":\"{type}\",\"status\":{status}}}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

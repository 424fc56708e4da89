using System.Text;
using BenchmarkDotNet.Attributes;
using Cairn.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Cairn.Benchmarks;

/// <summary>
/// A document read and a document write through the API's own endpoint delegates (validation,
/// the single-node service, headers, body), without Kestrel or sockets: what one request costs
/// the server above the HTTP parser. <see cref="ContextOnly"/> is the cost of the test harness's
/// <see cref="DefaultHttpContext"/>, to subtract.
/// </summary>
[MemoryDiagnoser]
public class ApiPathBenchmarks
{
    private const int Documents = 10_000;
    private WebApplication _app = null!;
    private RequestDelegate _get = null!;
    private RequestDelegate _put = null!;
    private string[] _ids = null!;
    private byte[][] _bodies = null!;
    private int _next;

    [GlobalSetup]
    public async Task Setup()
    {
        _app = CairnApi.BuildSingleNode(["--urls", "http://127.0.0.1:0"], b => b.Logging.ClearProviders());
        await _app.StartAsync();
        var endpoints = ((IEndpointRouteBuilder)_app).DataSources.SelectMany(d => d.Endpoints).ToList();
        _get = Find(endpoints, "GetDocument");
        _put = Find(endpoints, "PutDocument");
        _ids = Enumerable.Range(0, Documents).Select(i => $"k{i:D5}").ToArray();
        _bodies = _ids.Select(id => Encoding.UTF8.GetBytes("{\"k\":\"" + id + "\",\"v\":\"" + new string('x', 81) + "\"}")).ToArray();
        for (var i = 0; i < Documents; i++) await _put(Context("PUT", i, _bodies[i]));
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public HttpContext ContextOnly() => Context("GET", _next++ % Documents, null);

    [Benchmark]
    public Task GetDocument() => _get(Context("GET", _next++ % Documents, null));

    [Benchmark]
    public Task PutDocument()
    {
        var i = _next++ % Documents;
        return _put(Context("PUT", i, _bodies[i]));
    }

    private DefaultHttpContext Context(string method, int index, byte[]? body)
    {
        var context = new DefaultHttpContext { RequestServices = _app.Services };
        var request = context.Request;
        request.Method = method;
        request.Path = "/v1/kv/" + _ids[index];
        request.RouteValues["collection"] = "kv";
        request.RouteValues["id"] = _ids[index];
        if (body is not null)
        {
            request.ContentType = "application/json";
            request.ContentLength = body.Length;
            request.Body = new MemoryStream(body, writable: false);
        }
        context.Response.Body = Stream.Null;
        return context;
    }

    private static RequestDelegate Find(List<Endpoint> endpoints, string name) =>
        endpoints.Single(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == name).RequestDelegate!;
}

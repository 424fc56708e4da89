using BenchmarkDotNet.Attributes;
using Cairn.Api.Metrics;
using Cairn.Node;

namespace Cairn.Benchmarks;

/// <summary>
/// What one HTTP write costs in metrics on the request path: the middleware's duration and request count (route,
/// method, status) and the proposal's duration and outcome, each aggregated by the node's Prometheus exporter.
/// </summary>
[MemoryDiagnoser]
public class MetricsBenchmarks : IDisposable
{
    private static readonly string[] Routes = ["/v1/{collection}/{id}", "/v1/_kv/{**key}", "/v1/{collection}"];
    private static readonly int[] Statuses = [200, 201, 412];
    private CairnMetrics _metrics = null!;
    private PrometheusExporter _exporter = null!;
    private int _i;

    [GlobalSetup]
    public void Setup()
    {
        _metrics = new CairnMetrics(() => new NodeStatus("n1", "leader", 1, "n1", 1, 1, true), transport: null);
        _exporter = new PrometheusExporter(_metrics);
    }

    [Benchmark]
    public void OneWriteRequest()
    {
        var i = _i++;
        var route = new KeyValuePair<string, object?>("route", Routes[i % Routes.Length]);
        _metrics.ProposalSeconds.Record(0.0012);
        _metrics.Proposals.Add(1, new KeyValuePair<string, object?>("outcome", "ok"));
        _metrics.HttpSeconds.Record(0.0015, route);
        _metrics.HttpRequests.Add(1, route, new KeyValuePair<string, object?>("method", "PUT"),
            new KeyValuePair<string, object?>("status", Statuses[i % Statuses.Length]));
    }

    [Benchmark]
    public int Scrape() => _exporter.Render().Length;

    [GlobalCleanup]
    public void Dispose()
    {
        _exporter.Dispose();
        _metrics.Dispose();
        GC.SuppressFinalize(this);
    }
}

using System.Text;
using BenchmarkDotNet.Attributes;
using Cairn.Api;

namespace Cairn.Benchmarks;

/// <summary>Request-path work outside the store: validating and minifying a document body.</summary>
[MemoryDiagnoser]
public class ApiBenchmarks
{
    private readonly byte[] _body = Encoding.UTF8.GetBytes("{ \"k\": \"k00042\", \"v\": \"" + new string('x', 70) + "\" }");

    [Benchmark]
    public byte[] ValidateAndMinifyDocument() => JsonBodies.Document(_body, 64, 1 << 20);
}

using System.Text;
using BenchmarkDotNet.Attributes;
using Cairn.Store;
using Cairn.Store.Codec;

namespace Cairn.Benchmarks;

/// <summary>The apply thread's cost per command, and a point read from a view, over 100k documents.</summary>
[MemoryDiagnoser]
public class StoreBenchmarks
{
    private const int Documents = 100_000;
    private KvStore _store = null!;
    private CommandEnvelope[] _puts = null!;
    private string[] _ids = null!;
    private long _revision;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _store = new KvStore(StoreLimits.Default);
        _ids = Enumerable.Range(0, Documents).Select(i => $"k{i:D6}").ToArray();
        _puts = _ids.Select(id => new CommandEnvelope(null, new DocPut("kv", id, Value(id), Precondition.None))).ToArray();
        foreach (var put in _puts) _store.Apply(++_revision, put);
    }

    private static byte[] Value(string id) => Encoding.UTF8.GetBytes("{\"k\":\"" + id + "\",\"v\":\"" + new string('x', 70) + "\"}");

    [Benchmark]
    public CommandResult ApplyPut() => _store.Apply(++_revision, _puts[_next++ % Documents]);

    [Benchmark]
    public bool GetDocument() => _store.Current.TryGetDocument("kv", _ids[_next++ % Documents], out _);

    [Benchmark]
    public byte[] EncodeCommand() => CommandCodec.Encode(_puts[_next++ % Documents]);

    [Benchmark]
    public CommandEnvelope DecodeCommand() => CommandCodec.Decode(_encoded ??= CommandCodec.Encode(_puts[0]));

    private byte[]? _encoded;
}

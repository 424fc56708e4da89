using BenchmarkDotNet.Attributes;
using Cairn.Consensus;
using Cairn.Storage;

namespace Cairn.Benchmarks;

/// <summary>
/// The write-ahead log's hot path: one Append of a 64-entry batch of 1 KiB entries (what one Ready persists under
/// load), fsynced under PerBatch. Time per batch; entries per second = 64 / time. The log is compacted every
/// 1024 batches (64 MiB) so the disk use stays bounded, as snapshots do in the node.
/// dotnet run -c Release --project bench/Cairn.Benchmarks -- --filter '*WalBenchmarks*' --job short
/// </summary>
[MemoryDiagnoser]
public class WalBenchmarks
{
    private const int BatchEntries = 64;
    private const int EntryBytes = 1024;
    private const int CompactEveryBatches = 1024;
    private readonly Entry[] _batch = new Entry[BatchEntries];
    private readonly byte[] _payload = new byte[EntryBytes];
    private string _directory = null!;
    private FileStorage _storage = null!;
    private ulong _next = 1;
    private int _batches;

    [Params(FsyncPolicy.PerBatch, FsyncPolicy.Never)]
    public FsyncPolicy Policy { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "cairn-wal-bench-" + Guid.NewGuid().ToString("N"));
        new Random(1).NextBytes(_payload);
        _storage = FileStorage.Open(new StorageOptions { DataDirectory = _directory, FsyncPolicy = Policy });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _storage.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public void AppendBatch()
    {
        for (var i = 0; i < BatchEntries; i++) _batch[i] = new Entry(new Term(1), new LogIndex(_next++), EntryKind.Normal, _payload);
        _storage.Log.Append(_batch);
        if (++_batches % CompactEveryBatches == 0) _storage.Log.Compact(_storage.Log.LastIndex);
    }
}

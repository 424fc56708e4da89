using Cairn.Consensus.Storage;

namespace Cairn.Storage.Tests.Support;

/// <summary>
/// The three stores of one node, and a restart. The in-memory harness keeps its objects across a restart (the
/// simulator's crash model); the file harness closes the data directory and opens it again.
/// </summary>
public abstract class StoreHarness : IDisposable
{
    public abstract ILogStore Log { get; }
    public abstract IStableStore Stable { get; }
    public abstract ISnapshotStore Snapshots { get; }
    public abstract void Restart();
    public abstract void Dispose();
}

public sealed class InMemoryHarness : StoreHarness
{
    public override ILogStore Log { get; } = new InMemoryLogStore();
    public override IStableStore Stable { get; } = new InMemoryStableStore();
    public override ISnapshotStore Snapshots { get; } = new InMemorySnapshotStore();
    public override void Restart() { }
    public override void Dispose() { }
}

public sealed class FileHarness : StoreHarness
{
    private readonly TempDirectory _directory = new();
    private readonly Func<StorageOptions, StorageOptions> _tweak;

    /// <param name="crossChecks">False for single-store contract tests, whose stores need not agree with each other.</param>
    public FileHarness(Func<StorageOptions, StorageOptions>? tweak = null, bool crossChecks = false)
    {
        _tweak = tweak ?? (o => o);
        _crossChecks = crossChecks;
        Storage = Open();
    }

    private readonly bool _crossChecks;

    private FileStorage Open() => FileStorage.Open(Options, null, null, _crossChecks);

    public StorageOptions Options => _tweak(new StorageOptions { DataDirectory = _directory.Path, SegmentBytes = 512, EntryCacheBytes = 200 });

    public FileStorage Storage { get; private set; }

    public string DataDirectory => _directory.Path;

    public override ILogStore Log => Storage.Log;
    public override IStableStore Stable => Storage.Stable;
    public override ISnapshotStore Snapshots => Storage.Snapshots;

    public override void Restart()
    {
        Storage.Dispose();
        Storage = Open();
    }

    public override void Dispose()
    {
        Storage.Dispose();
        _directory.Dispose();
    }
}

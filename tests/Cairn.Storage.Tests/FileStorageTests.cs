using System.Diagnostics;
using Cairn.Consensus;
using Cairn.Consensus.Storage;
using Cairn.Storage.Tests.Contract;
using Cairn.Storage.Tests.Support;
using static Cairn.Storage.Tests.Support.Build;

namespace Cairn.Storage.Tests;

/// <summary>The factory: directory layout, the exclusive lock, option limits, cross-store checks, the flusher.</summary>
public sealed class FileStorageTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private StorageOptions Options => new() { DataDirectory = _dir.Path };

    [Fact]
    public void Open_CreatesTheDocumentedLayout()
    {
        using (var storage = FileStorage.Open(Options with { DataDirectory = _dir.Combine("nested", "data") }))
        {
            storage.Log.Append(Run(1, 1, 3));
            storage.Stable.Save(new StableState(new HardState(T(1), new NodeId(1), I(3)), Membership.OfVoters(1)));
            storage.Snapshots.Save(SnapshotStoreContract.Snap(3, 1, 10));
        }
        var root = _dir.Combine("nested", "data");
        Assert.Equal(["LOCK", "stable"], Directory.GetFiles(root).Select(Path.GetFileName).Order());
        Assert.Equal(["log", "snapshots"], Directory.GetDirectories(root).Select(Path.GetFileName).Order());
        Assert.Equal([LogFiles.SegmentName(1)], Directory.GetFiles(Path.Combine(root, "log")).Select(Path.GetFileName));
        Assert.Single(Directory.GetFiles(Path.Combine(root, "snapshots")));
    }

    [Fact]
    public void ASecondOpenOfTheSameDirectory_IsRefused_UntilTheFirstIsDisposed()
    {
        var first = FileStorage.Open(Options);
        var error = Assert.Throws<DataDirectoryInUseException>(() => FileStorage.Open(Options));
        Assert.Contains(_dir.Path, error.Message);
        first.Dispose();
        Assert.Equal($"{Environment.ProcessId}", File.ReadAllText(_dir.Combine("LOCK")).Trim());
        FileStorage.Open(Options).Dispose();
    }

    [Fact]
    public void TheLock_IsVisibleToOtherProcesses()
    {
        if (!File.Exists("/usr/bin/flock")) return; // util-linux is on every Linux this runs on; nothing to check elsewhere
        using (FileStorage.Open(Options)) Assert.Equal(1, FlockFromAnotherProcess());
        Assert.Equal(0, FlockFromAnotherProcess());
    }

    private int FlockFromAnotherProcess()
    {
        using var process = Process.Start(new ProcessStartInfo("/usr/bin/flock", ["--nonblock", _dir.Combine("LOCK"), "true"]))!;
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            throw new TimeoutException("flock did not exit");
        }
        return process.ExitCode;
    }

    [Theory]
    [InlineData("SegmentBytes", 255L)]
    [InlineData("SegmentBytes", (256L << 20) + 1)]
    [InlineData("FsyncIntervalMs", 0L)]
    [InlineData("FsyncIntervalMs", 60_001L)]
    [InlineData("SnapshotsKept", 0L)]
    [InlineData("SnapshotsKept", 101L)]
    [InlineData("EntryCacheBytes", -1L)]
    [InlineData("FsyncPolicy", 7L)]
    [InlineData("DataDirectory", 0L)]
    public void OptionsOutOfRange_AreRefused_NamingTheOption_AndNothingIsCreated(string option, long value)
    {
        var target = _dir.Combine("never-created");
        var options = new StorageOptions { DataDirectory = target };
        options = option switch
        {
            "SegmentBytes" => options with { SegmentBytes = value },
            "FsyncIntervalMs" => options with { FsyncIntervalMs = (int)value },
            "SnapshotsKept" => options with { SnapshotsKept = (int)value },
            "EntryCacheBytes" => options with { EntryCacheBytes = value },
            "FsyncPolicy" => options with { FsyncPolicy = (FsyncPolicy)value },
            _ => options with { DataDirectory = " " },
        };
        var error = Assert.Throws<ArgumentException>(() => FileStorage.Open(options));
        Assert.Equal(option, error.ParamName);
        Assert.False(Directory.Exists(target));
    }

    [Fact]
    public void TheLimitsThemselves_AreAccepted()
    {
        var options = Options with { SegmentBytes = StorageOptions.SegmentBytesMin, FsyncIntervalMs = 1, SnapshotsKept = 1, EntryCacheBytes = 0 };
        options.Validate();
        (options with { SegmentBytes = StorageOptions.SegmentBytesMax, FsyncIntervalMs = StorageOptions.FsyncIntervalMsMax, SnapshotsKept = StorageOptions.SnapshotsKeptMax }).Validate();
    }

    [Fact]
    public void ALogCompactedPastTheNewestValidSnapshot_IsRefused()
    {
        using (var storage = FileStorage.Open(Options))
        {
            storage.Snapshots.Save(SnapshotStoreContract.Snap(10, 1, 10));
            storage.Log.Append(Run(1, 1, 20));
            storage.Log.Compact(I(10));
            storage.Snapshots.Save(SnapshotStoreContract.Snap(15, 1, 10));
            storage.Log.Compact(I(15));
        }
        FileStorage.Open(Options).Dispose();
        var latest = Directory.GetFiles(_dir.Combine("snapshots")).Order(StringComparer.Ordinal).Last();
        LogFiles.FlipByte(latest, 60);
        var error = Assert.Throws<StorageCorruptException>(() => FileStorage.Open(Options));
        Assert.Contains("compacted up to 15 but the newest valid snapshot covers only up to 10", error.Message);
        FileStorage.Open(Options, null, null, checkConsistency: false).Dispose(); // the failed open released the lock
    }

    [Fact]
    public void ACommitIndexPastTheLog_IsRefused_OrLoweredWithTruncateCorruptTail()
    {
        using (var storage = FileStorage.Open(Options))
        {
            storage.Log.Append(Run(1, 1, 10));
            storage.Stable.Save(new StableState(new HardState(T(1), new NodeId(1), I(10)), Membership.OfVoters(1)));
        }
        var segment = Assert.Single(Directory.GetFiles(_dir.Combine("log"), "*.seg"));
        var offsets = LogFiles.RecordOffsets(segment);
        LogFiles.FlipByte(segment, offsets[6] + 20); // entries 7.. are cut off (valid records follow)

        var error = Assert.Throws<StorageCorruptException>(() => FileStorage.Open(Options));
        Assert.Contains("valid record follows", error.Message);

        using (var storage = FileStorage.Open(Options with { TruncateCorruptTail = true }))
        {
            Assert.Equal(I(6), storage.Log.LastIndex);
            Assert.Equal(I(6), storage.Stable.Load()!.HardState.Commit);
        }
        using (var storage = FileStorage.Open(Options)) Assert.Equal(I(6), storage.Stable.Load()!.HardState.Commit);
    }

    [Fact]
    public void EveryPolicy_RunsOneFlusher_AndDisposeStopsIt()
    {
        foreach (var policy in Enum.GetValues<FsyncPolicy>())
        {
            var time = new ManualTimeProvider();
            var storage = FileStorage.Open(Options with { FsyncPolicy = policy }, null, time);
            Assert.Equal(1, time.ActiveTimers);
            storage.Log.Append(Run(storage.Log.LastIndex.Value + 1, 1, 3));
            time.Fire();
            storage.Dispose();
            Assert.Equal(0, time.ActiveTimers);
            time.Fire(); // a late tick after dispose is harmless
        }
        using var reopened = FileStorage.Open(Options);
        Assert.Equal(I(9), reopened.Log.LastIndex);
    }
}

/// <summary>After a failed write the storage refuses every further write: what the device holds is unknown.</summary>
public sealed class StorageFailureTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AFailedWrite_IsSticky_UntilTheStorageIsReopened()
    {
        var storage = FileStorage.Open(new StorageOptions { DataDirectory = _dir.Path, SegmentBytes = 256 }, null, null, checkConsistency: false);
        storage.Log.Append(Run(1, 1, 1, dataBytes: 200));
        Directory.Delete(_dir.Combine("log"), recursive: true); // the next rollover cannot create its segment

        var first = Assert.Throws<StorageFailedException>(() => storage.Log.Append(Run(2, 1, 1, dataBytes: 200)));
        Assert.Contains("appending entries 2..2", first.Message);
        Assert.Throws<StorageFailedException>(() => storage.Log.Append(Run(2, 1, 1)));
        Assert.Throws<StorageFailedException>(() => storage.Stable.Save(new StableState(new HardState(T(1), NodeId.None, I(0)), Membership.Empty)));
        Assert.Throws<StorageFailedException>(() => storage.Snapshots.Save(SnapshotStoreContract.Snap(1, 1, 10)));
        Assert.Throws<StorageFailedException>(() => storage.Flush());
        storage.Dispose();

        using var reopened = FileStorage.Open(new StorageOptions { DataDirectory = _dir.Path }, null, null, checkConsistency: false);
        Assert.Equal(I(0), reopened.Log.LastIndex);
    }
}

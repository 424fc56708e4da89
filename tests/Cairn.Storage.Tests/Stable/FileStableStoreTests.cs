using Cairn.Consensus;
using Cairn.Consensus.Storage;
using Cairn.Storage.Tests.Support;
using static Cairn.Storage.Tests.Support.Build;

namespace Cairn.Storage.Tests.Stable;

/// <summary>The stable file: atomic replacement, leftovers of a crash mid-write, damage refused.</summary>
public sealed class FileStableStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private StorageOptions Options => new() { DataDirectory = _dir.Path };

    private string StablePath => _dir.Combine("stable");

    private static StableState State(ulong term, ulong vote, ulong commit) =>
        new(new HardState(T(term), new NodeId(vote), I(commit)), Membership.OfVoters(1, 2, 3));

    private void SaveAndClose(params StableState[] states)
    {
        using var storage = FileStorage.Open(Options, null, null, checkConsistency: false);
        foreach (var s in states) storage.Stable.Save(s);
    }

    private StableState? Reopen()
    {
        using var storage = FileStorage.Open(Options, null, null, checkConsistency: false);
        return storage.Stable.Load();
    }

    [Fact]
    public void ALeftoverTempFileFromACrashMidWrite_IsIgnored_AndTheOldStateLoads()
    {
        SaveAndClose(State(3, 2, 0));
        File.WriteAllBytes(StablePath + ".tmp", File.ReadAllBytes(StablePath)[..10]);
        Assert.Equal(State(3, 2, 0), Reopen());
        Assert.False(File.Exists(StablePath + ".tmp"));
    }

    [Fact]
    public void ALeftoverTempFileWithACompleteNewerState_IsStillIgnored()
    {
        SaveAndClose(State(3, 2, 0));
        var old = File.ReadAllBytes(StablePath);
        SaveAndClose(State(4, 1, 0));
        File.Move(StablePath, StablePath + ".tmp");
        File.WriteAllBytes(StablePath, old); // the crash came before the rename
        Assert.Equal(State(3, 2, 0), Reopen());
    }

    [Fact]
    public void ALeftoverTempFile_OnABrandNewNode_LoadsNothing()
    {
        File.WriteAllBytes(StablePath + ".tmp", [1, 2, 3]);
        Assert.Null(Reopen());
    }

    [Fact]
    public void ADamagedStableFile_IsRefused_NamingTheFile()
    {
        SaveAndClose(State(3, 2, 0));
        var length = new FileInfo(StablePath).Length;
        var original = File.ReadAllBytes(StablePath);
        for (var at = 0; at < length; at++)
        {
            File.WriteAllBytes(StablePath, original);
            LogFiles.FlipByte(StablePath, at);
            var error = Assert.Throws<StorageCorruptException>(() => Reopen());
            Assert.Equal(StablePath, error.Path);
            Assert.Contains("term and vote are unknown", error.Message);
        }
    }

    [Fact]
    public void ATruncatedStableFile_IsRefused()
    {
        SaveAndClose(State(3, 2, 0));
        File.WriteAllBytes(StablePath, File.ReadAllBytes(StablePath)[..^1]);
        Assert.Throws<StorageCorruptException>(() => Reopen());
        File.WriteAllBytes(StablePath, []);
        Assert.Throws<StorageCorruptException>(() => Reopen());
    }

    [Fact]
    public void UnderIntervalMs_ACommitOnlyChangeWaitsForTheFlusher_ButATermChangeIsWrittenAtOnce()
    {
        var time = new ManualTimeProvider();
        using var storage = FileStorage.Open(Options with { FsyncPolicy = FsyncPolicy.IntervalMs, FsyncIntervalMs = 50 }, null, time, checkConsistency: false);
        storage.Log.Append(Run(1, 1, 5));
        storage.Stable.Save(State(1, 1, 0));
        Assert.Equal(State(1, 1, 0), ReadFile());
        storage.Stable.Save(State(1, 1, 4));
        Assert.Equal(State(1, 1, 4), storage.Stable.Load());
        Assert.Equal(State(1, 1, 0), ReadFile());
        time.Fire();
        Assert.Equal(State(1, 1, 4), ReadFile());
        storage.Stable.Save(State(1, 1, 5));
        storage.Stable.Save(State(2, 3, 5));
        Assert.Equal(State(2, 3, 5), ReadFile());
    }

    [Fact]
    public void UnderIntervalMs_DisposeWritesADeferredCommit()
    {
        using (var storage = FileStorage.Open(Options with { FsyncPolicy = FsyncPolicy.IntervalMs }, null, new ManualTimeProvider(), checkConsistency: false))
        {
            storage.Log.Append(Run(1, 1, 5));
            storage.Stable.Save(State(1, 1, 0));
            storage.Stable.Save(State(1, 1, 5));
        }
        Assert.Equal(State(1, 1, 5), Reopen());
    }

    [Theory]
    [InlineData(FsyncPolicy.PerBatch)]
    [InlineData(FsyncPolicy.Never)]
    public void ACommitOnlyChangeWaitsForTheCommitTimer_ButTermVoteAndBootstrapAreWrittenAtOnce(FsyncPolicy policy)
    {
        var time = new ManualTimeProvider();
        using var storage = FileStorage.Open(Options with { FsyncPolicy = policy, CommitSaveIntervalMs = 1000 }, null, time, checkConsistency: false);
        storage.Log.Append(Run(1, 1, 5));
        storage.Stable.Save(State(1, 1, 0));
        Assert.Equal(State(1, 1, 0), ReadFile());
        storage.Stable.Save(State(1, 1, 3));
        storage.Stable.Save(State(1, 1, 4));
        Assert.Equal(State(1, 1, 4), storage.Stable.Load());
        Assert.Equal(State(1, 1, 0), ReadFile());
        time.Fire();
        Assert.Equal(State(1, 1, 4), ReadFile());
        storage.Stable.Save(State(1, 1, 5));
        storage.Stable.Save(State(2, 0, 5));
        Assert.Equal(State(2, 0, 5), ReadFile());
        storage.Stable.Save(State(2, 3, 5));
        Assert.Equal(State(2, 3, 5), ReadFile());
    }

    [Fact]
    public void UnderPerBatch_DisposeWritesADeferredCommit()
    {
        using (var storage = FileStorage.Open(Options, null, new ManualTimeProvider(), checkConsistency: false))
        {
            storage.Log.Append(Run(1, 1, 5));
            storage.Stable.Save(State(1, 1, 0));
            storage.Stable.Save(State(1, 1, 5));
        }
        Assert.Equal(State(1, 1, 5), Reopen());
    }

    [Fact]
    public void CommitSaveInterval_OutOfRange_IsRefusedByName()
    {
        var error = Assert.Throws<ArgumentException>(() => (Options with { CommitSaveIntervalMs = 0 }).Validate());
        Assert.Contains(nameof(StorageOptions.CommitSaveIntervalMs), error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => (Options with { CommitSaveIntervalMs = StorageOptions.CommitSaveIntervalMsMax + 1 }).Validate());
    }

    private StableState ReadFile() => Cairn.Storage.Stable.StableFormat.Decode(StablePath, File.ReadAllBytes(StablePath));
}

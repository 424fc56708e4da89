using Cairn.Consensus;
using Cairn.Storage.Tests.Contract;
using Cairn.Storage.Tests.Support;
using static Cairn.Storage.Tests.Support.Build;

namespace Cairn.Storage.Tests.Snapshots;

/// <summary>Snapshot files: how many are kept, falling back when the latest is damaged, receive files and leftovers.</summary>
public sealed class FileSnapshotStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private StorageOptions Options => new() { DataDirectory = _dir.Path };

    private string SnapshotDir => _dir.Combine(FileStorage.SnapshotDirectoryName);

    private FileStorage Open(StorageOptions? options = null) => FileStorage.Open(options ?? Options, null, null, checkConsistency: false);

    private string[] Files() => Directory.GetFiles(SnapshotDir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    private static string Name(ulong index, ulong term) => $"snap-{index:D20}-{term:D20}.snap";

    private static Snapshot Snap(ulong index, ulong term, int bytes = 300) => SnapshotStoreContract.Snap(index, term, bytes);

    [Fact]
    public void OnlyTheNewestSnapshotsKept_RemainOnDisk()
    {
        using (var storage = Open(Options with { SnapshotsKept = 3 }))
        {
            for (ulong i = 1; i <= 6; i++) storage.Snapshots.Save(Snap(i * 10, i));
        }
        Assert.Equal([Name(40, 4), Name(50, 5), Name(60, 6)], Files());
        using (var storage = Open(Options with { SnapshotsKept = 1 })) storage.Snapshots.Save(Snap(70, 7));
        Assert.Equal([Name(70, 7)], Files());
    }

    [Fact]
    public void ADamagedLatestSnapshot_IsSetAside_AndTheOlderOneLoads()
    {
        using (var storage = Open())
        {
            storage.Snapshots.Save(Snap(10, 1));
            storage.Snapshots.Save(Snap(20, 2));
        }
        var latest = Path.Combine(SnapshotDir, Name(20, 2));
        LogFiles.FlipByte(latest, new FileInfo(latest).Length - 50);
        using (var storage = Open())
        {
            Assert.Equal(Snap(10, 1).Meta, storage.Snapshots.LatestMeta);
            Assert.Equal(Snap(10, 1).Data.ToArray(), storage.Snapshots.LoadLatest()!.Data.ToArray());
        }
        Assert.Equal([Name(10, 1), Name(20, 2) + ".corrupt"], Files());
    }

    [Fact]
    public void EveryKindOfDamage_FallsBack_NeverLoadsBadData()
    {
        using (var storage = Open())
        {
            storage.Snapshots.Save(Snap(10, 1, 40));
            storage.Snapshots.Save(Snap(20, 2, 40));
        }
        var latest = Path.Combine(SnapshotDir, Name(20, 2));
        var original = File.ReadAllBytes(latest);
        for (var at = 0; at < original.Length; at++)
        {
            File.WriteAllBytes(latest, original);
            LogFiles.FlipByte(latest, at);
            using (var storage = Open()) Assert.Equal(I(10), storage.Snapshots.LatestMeta!.Index);
            File.Delete(latest + ".corrupt");
        }
        File.WriteAllBytes(latest, original[..^1]);
        using (var storage = Open()) Assert.Equal(I(10), storage.Snapshots.LatestMeta!.Index);
    }

    [Fact]
    public void WhenEverySnapshotIsDamaged_ThereIsNone()
    {
        using (var storage = Open()) storage.Snapshots.Save(Snap(10, 1));
        LogFiles.FlipByte(Path.Combine(SnapshotDir, Name(10, 1)), 100);
        using var reopened = Open();
        Assert.Null(reopened.Snapshots.LatestMeta);
    }

    [Fact]
    public void AFileWhoseNameDisagreesWithItsHeader_IsSetAside()
    {
        using (var storage = Open()) storage.Snapshots.Save(Snap(10, 1));
        File.Move(Path.Combine(SnapshotDir, Name(10, 1)), Path.Combine(SnapshotDir, Name(11, 1)));
        using var reopened = Open();
        Assert.Null(reopened.Snapshots.LatestMeta);
    }

    [Fact]
    public void Receiving_WritesATempFile_RenamedOnComplete_AndSaveMovesItIntoPlace()
    {
        using var storage = Open();
        var incoming = Snap(30, 3, 1000);
        var receiver = storage.Snapshots.BeginReceive(incoming.Meta, 1000)!;
        receiver.Write(incoming.Data.Span[..400]);
        Assert.Equal(["incoming.tmp"], Files());
        receiver.Write(incoming.Data.Span[400..]);
        var complete = receiver.Complete();
        Assert.Equal([Name(30, 3) + ".received"], Files());
        storage.Snapshots.Save(complete);
        Assert.Equal([Name(30, 3)], Files());
        Assert.True(storage.Snapshots.TryReadChunk(I(30), 900, 500, out var tail));
        Assert.Equal(incoming.Data[900..].ToArray(), tail.ToArray());
    }

    [Fact]
    public void APreparedSnapshot_IsWrittenOffTheLoop_AndSaveOnlyRenamesIt()
    {
        using var storage = Open();
        var snapshot = Snap(40, 4, 2000);
        var prepared = storage.Snapshots.Prepare(snapshot);
        Assert.Equal([Name(40, 4) + ".prepared.tmp"], Files());
        Assert.Null(storage.Snapshots.LatestMeta); // not a snapshot until saved

        storage.Snapshots.Offer(prepared);
        storage.Snapshots.Save(new Snapshot(snapshot.Meta, snapshot.Data)); // the core builds its own Snapshot record
        Assert.Equal([Name(40, 4)], Files());
        Assert.Equal(snapshot.Data.ToArray(), storage.Snapshots.LoadLatest()!.Data.ToArray());
    }

    [Fact]
    public void APreparedSnapshot_ThatIsNotTheOneSaved_IsDeleted_AndTheSavedOneWritten()
    {
        using var storage = Open();
        var prepared = storage.Snapshots.Prepare(Snap(40, 4));
        storage.Snapshots.Offer(prepared);
        storage.Snapshots.Save(Snap(41, 4));
        Assert.Equal([Name(41, 4)], Files());

        var discarded = storage.Snapshots.Prepare(Snap(50, 4));
        storage.Snapshots.Discard(discarded);
        Assert.Equal([Name(41, 4)], Files());
    }

    [Fact]
    public void APreparedSnapshotNeverSaved_IsDeletedAtStartUp()
    {
        using (var storage = Open())
        {
            storage.Snapshots.Save(Snap(10, 1));
            storage.Snapshots.Prepare(Snap(20, 2)); // the process dies before the loop saves it
        }
        using var reopened = Open();
        Assert.Equal([Name(10, 1)], Files());
        Assert.Equal(I(10), reopened.Snapshots.LatestMeta!.Index);
    }

    [Fact]
    public void ANewReceive_DeletesThePartialOne()
    {
        using var storage = Open();
        var incoming = Path.Combine(SnapshotDir, "incoming.tmp");
        storage.Snapshots.BeginReceive(Snap(30, 3).Meta, 300)!.Write(new byte[100]);
        var partial = new FileInfo(incoming).Length;
        var second = storage.Snapshots.BeginReceive(Snap(31, 3).Meta, 10)!;
        Assert.Equal(partial - 100, new FileInfo(incoming).Length); // only the new header remains
        second.Write(new byte[10]);
        Assert.Equal(["incoming.tmp"], Files());
    }

    [Fact]
    public void LeftoversOfInterruptedWritesAndReceives_AreDeletedAtStartUp()
    {
        using (var storage = Open()) storage.Snapshots.Save(Snap(10, 1));
        File.WriteAllBytes(Path.Combine(SnapshotDir, "incoming.tmp"), [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(SnapshotDir, Name(20, 2) + ".received"), [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(SnapshotDir, Name(20, 2) + ".tmp"), [1, 2, 3]);
        using var reopened = Open();
        Assert.Equal([Name(10, 1)], Files());
        Assert.Equal(I(10), reopened.Snapshots.LatestMeta!.Index);
    }

    [Fact]
    public void DataDamagedAfterStartUp_IsReportedByLoadLatest()
    {
        using var storage = Open();
        storage.Snapshots.Save(Snap(10, 1));
        using (var handle = File.OpenHandle(Path.Combine(SnapshotDir, Name(10, 1)), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
            RandomAccess.Write(handle, new byte[] { 0xAB, 0xCD }, 120);
        Assert.Throws<StorageCorruptException>(() => storage.Snapshots.LoadLatest());
    }
}

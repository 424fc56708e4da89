using Cairn.Consensus;
using Cairn.Storage.Tests.Support;
using static Cairn.Storage.Tests.Support.Build;

namespace Cairn.Storage.Tests.Contract;

/// <summary>The <c>ISnapshotStore</c> contract, run against the in-memory twin and the file store.</summary>
public abstract class SnapshotStoreContract : IDisposable
{
    private readonly StoreHarness _h;

    protected SnapshotStoreContract(StoreHarness harness) => _h = harness;

    public void Dispose()
    {
        _h.Dispose();
        GC.SuppressFinalize(this);
    }

    private Consensus.Storage.ISnapshotStore Store => _h.Snapshots;

    internal static Snapshot Snap(ulong index, ulong term, int bytes, params ulong[] voters) =>
        new(new SnapshotMeta(I(index), T(term), Membership.OfVoters(voters.Length > 0 ? voters : [1, 2, 3])), Payload(index, term, bytes));

    private void AssertLatest(Snapshot expected)
    {
        Assert.Equal(expected.Meta, Store.LatestMeta);
        Assert.Equal(expected.Data.Length, Store.LatestSizeBytes);
        var loaded = Store.LoadLatest()!;
        Assert.Equal(expected.Meta, loaded.Meta);
        Assert.Equal(expected.Data.ToArray(), loaded.Data.ToArray());
    }

    [Fact]
    public void NewStore_HasNoSnapshot()
    {
        Assert.Null(Store.LatestMeta);
        Assert.Equal(0, Store.LatestSizeBytes);
        Assert.Null(Store.LoadLatest());
        Assert.False(Store.TryReadChunk(I(0), 0, 10, out _));
    }

    [Fact]
    public void Save_ThenLoad_ReturnsIt_AfterRestartToo()
    {
        var snapshot = Snap(10, 2, 1000, 1, 2, 5);
        Store.Save(snapshot);
        AssertLatest(snapshot);
        _h.Restart();
        AssertLatest(snapshot);
    }

    [Fact]
    public void Save_OfAnEmptySnapshot_Works()
    {
        var snapshot = Snap(3, 1, 0);
        Store.Save(snapshot);
        _h.Restart();
        AssertLatest(snapshot);
        Assert.True(Store.TryReadChunk(I(3), 0, 10, out var chunk));
        Assert.Equal(0, chunk.Length);
    }

    [Fact]
    public void Save_CopiesTheCallersBuffer()
    {
        var data = Payload(1, 1, 64);
        Store.Save(new Snapshot(new SnapshotMeta(I(5), T(1), Membership.OfVoters(1)), data));
        var copy = data.ToArray();
        data.AsSpan().Clear();
        Assert.Equal(copy, Store.LoadLatest()!.Data.ToArray());
    }

    [Fact]
    public void Save_NewerOrEqual_Replaces_ButOlder_FailsFast()
    {
        Store.Save(Snap(10, 2, 100));
        Store.Save(Snap(10, 2, 120));
        Store.Save(Snap(20, 3, 50));
        Assert.Throws<InvariantViolationException>(() => Store.Save(Snap(15, 3, 10)));
        _h.Restart();
        AssertLatest(Snap(20, 3, 50));
    }

    [Fact]
    public void TryReadChunk_ServesTheLatestInChunks()
    {
        var snapshot = Snap(10, 2, 1000);
        Store.Save(snapshot);
        _h.Restart();
        var assembled = new List<byte>();
        while (assembled.Count < 1000)
        {
            Assert.True(Store.TryReadChunk(I(10), assembled.Count, 77, out var chunk));
            Assert.Equal(Math.Min(77, 1000 - assembled.Count), chunk.Length);
            assembled.AddRange(chunk.ToArray());
        }
        Assert.Equal(snapshot.Data.ToArray(), assembled.ToArray());
        Assert.True(Store.TryReadChunk(I(10), 1000, 77, out var end));
        Assert.Equal(0, end.Length);
        Assert.Throws<InvariantViolationException>(() => Store.TryReadChunk(I(10), 1001, 77, out _));
        Assert.Throws<InvariantViolationException>(() => Store.TryReadChunk(I(10), 0, 0, out _));
    }

    [Fact]
    public void TryReadChunk_OfAReplacedSnapshot_ReturnsFalse()
    {
        Store.Save(Snap(10, 2, 100));
        Store.Save(Snap(20, 2, 100));
        Assert.False(Store.TryReadChunk(I(10), 0, 10, out _));
        Assert.True(Store.TryReadChunk(I(20), 0, 10, out _));
    }

    [Fact]
    public void Receiver_AssemblesChunks_AndSaveMakesItTheLatest()
    {
        var incoming = Snap(30, 4, 500, 1, 2);
        var receiver = Store.BeginReceive(incoming.Meta, 500)!;
        Assert.Equal(incoming.Meta, receiver.Meta);
        Assert.Equal(500, receiver.TotalBytes);
        for (var at = 0; at < 500; at += 128)
        {
            receiver.Write(incoming.Data.Span.Slice(at, Math.Min(128, 500 - at)));
            Assert.Equal(Math.Min(at + 128, 500), receiver.ReceivedBytes);
        }
        var complete = receiver.Complete();
        Assert.Equal(incoming.Meta, complete.Meta);
        Assert.Equal(incoming.Data.ToArray(), complete.Data.ToArray());
        Assert.Null(Store.LatestMeta); // Complete does not save
        Store.Save(complete);
        AssertLatest(incoming);
        _h.Restart();
        AssertLatest(incoming);
    }

    [Fact]
    public void Receiver_RefusesEarlyCompletion_AndOverrun()
    {
        var receiver = Store.BeginReceive(Snap(30, 4, 10).Meta, 10)!;
        receiver.Write(new byte[6]);
        Assert.Throws<InvariantViolationException>(() => receiver.Complete());
        Assert.Throws<InvariantViolationException>(() => receiver.Write(new byte[5]));
    }

    [Fact]
    public void BeginReceive_DiscardsAPartialReceive_AndRefusesImpossibleSizes()
    {
        var first = Store.BeginReceive(Snap(30, 4, 10).Meta, 10)!;
        first.Write(new byte[4]);
        var second = Store.BeginReceive(Snap(31, 4, 10).Meta, 20)!;
        Assert.Equal(0, second.ReceivedBytes);
        Assert.Null(Store.BeginReceive(Snap(32, 4, 10).Meta, -1));
        Assert.Null(Store.BeginReceive(Snap(32, 4, 10).Meta, (long)Array.MaxLength + 1));
    }

    [Fact]
    public void Save_OfAnotherSnapshot_AfterAReceive_SavesWhatWasGiven()
    {
        var incoming = Snap(30, 4, 100);
        var receiver = Store.BeginReceive(incoming.Meta, 100)!;
        receiver.Write(incoming.Data.Span);
        receiver.Complete();
        var other = Snap(30, 4, 80);
        Store.Save(other);
        _h.Restart();
        AssertLatest(other);
    }
}

public sealed class InMemorySnapshotStoreContractTests() : SnapshotStoreContract(new InMemoryHarness());

public sealed class FileSnapshotStoreContractTests() : SnapshotStoreContract(new FileHarness());

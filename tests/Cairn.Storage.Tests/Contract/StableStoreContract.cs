using Cairn.Consensus;
using Cairn.Consensus.Storage;
using Cairn.Storage.Tests.Support;
using static Cairn.Storage.Tests.Support.Build;

namespace Cairn.Storage.Tests.Contract;

/// <summary>The <c>IStableStore</c> contract, run against the in-memory twin and the file store.</summary>
public abstract class StableStoreContract : IDisposable
{
    private readonly StoreHarness _h;

    protected StableStoreContract(StoreHarness harness) => _h = harness;

    public void Dispose()
    {
        _h.Dispose();
        GC.SuppressFinalize(this);
    }

    private static StableState State(ulong term, ulong vote, ulong commit, Membership? bootstrap = null) =>
        new(new HardState(T(term), new NodeId(vote), I(commit)), bootstrap ?? Membership.Empty);

    [Fact]
    public void NewStore_LoadsNull()
    {
        Assert.Null(_h.Stable.Load());
        _h.Restart();
        Assert.Null(_h.Stable.Load());
    }

    [Fact]
    public void Save_ThenLoad_ReturnsTheState_AfterRestartToo()
    {
        var bootstrap = new Membership([new NodeId(1), new NodeId(2), new NodeId(3)], [new NodeId(9)]);
        var state = State(5, 2, 40, bootstrap);
        _h.Stable.Save(state);
        Assert.Equal(state, _h.Stable.Load());
        _h.Restart();
        Assert.Equal(state, _h.Stable.Load());
    }

    [Fact]
    public void LaterSaves_Replace_EarlierOnes()
    {
        _h.Stable.Save(State(1, 1, 0, Membership.OfVoters(1)));
        _h.Stable.Save(State(2, 0, 3, Membership.OfVoters(1)));
        _h.Stable.Save(State(2, 3, 7, Membership.OfVoters(1)));
        _h.Restart();
        Assert.Equal(State(2, 3, 7, Membership.OfVoters(1)), _h.Stable.Load());
    }

    [Fact]
    public void Save_WithALowerTermOrCommit_FailsFast_AndKeepsTheState()
    {
        _h.Stable.Save(State(5, 1, 10));
        Assert.Throws<InvariantViolationException>(() => _h.Stable.Save(State(4, 1, 10)));
        Assert.Throws<InvariantViolationException>(() => _h.Stable.Save(State(5, 1, 9)));
        _h.Restart();
        Assert.Equal(State(5, 1, 10), _h.Stable.Load());
    }
}

public sealed class InMemoryStableStoreContractTests() : StableStoreContract(new InMemoryHarness());

public sealed class FileStableStoreContractTests() : StableStoreContract(new FileHarness());

public sealed class FileStableStoreIntervalContractTests() : StableStoreContract(new FileHarness(o => o with { FsyncPolicy = FsyncPolicy.IntervalMs }));

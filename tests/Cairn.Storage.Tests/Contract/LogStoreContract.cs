using Cairn.Consensus;
using Cairn.Storage.Tests.Support;
using static Cairn.Storage.Tests.Support.Build;

namespace Cairn.Storage.Tests.Contract;

/// <summary>
/// The <c>ILogStore</c> contract, run against the in-memory twin and the file store. Every durable fact is
/// checked again after a restart (a no-op for the in-memory harness).
/// </summary>
public abstract class LogStoreContract : IDisposable
{
    private readonly StoreHarness _h;

    protected LogStoreContract(StoreHarness harness) => _h = harness;

    public void Dispose()
    {
        _h.Dispose();
        GC.SuppressFinalize(this);
    }

    private Consensus.Storage.ILogStore Log => _h.Log;

    private void AssertLog(ulong baseIndex, ulong baseTerm, params Entry[] entries)
    {
        Assert.Equal(I(baseIndex), Log.BaseIndex);
        Assert.Equal(T(baseTerm), Log.BaseTerm);
        Assert.Equal(I(baseIndex + 1), Log.FirstIndex);
        Assert.Equal(I(baseIndex + (ulong)entries.Length), Log.LastIndex);
        Assert.Equal(T(baseTerm), Log.TermAt(I(baseIndex)));
        var read = Log.GetEntries(Log.FirstIndex, Log.LastIndex.Next, long.MaxValue);
        Assert.Equal(entries.Length, read.Count);
        for (var i = 0; i < entries.Length; i++)
        {
            SameEntry(entries[i], read[i]);
            Assert.Equal(entries[i].Term, Log.TermAt(entries[i].Index));
        }
    }

    private void AssertLogAndAfterRestart(ulong baseIndex, ulong baseTerm, params Entry[] entries)
    {
        AssertLog(baseIndex, baseTerm, entries);
        _h.Restart();
        AssertLog(baseIndex, baseTerm, entries);
    }

    [Fact]
    public void NewLog_IsEmpty_WithBaseZero() => AssertLogAndAfterRestart(0, 0);

    [Fact]
    public void Append_ThenRead_ReturnsTheEntries()
    {
        var entries = Run(1, 1, 10).Append(new Entry(T(2), I(11), EntryKind.Membership, new byte[] { 1, 2, 3 }))
            .Append(new Entry(T(2), I(12), EntryKind.Normal, ReadOnlyMemory<byte>.Empty)).ToArray();
        Log.Append(entries);
        AssertLogAndAfterRestart(0, 0, entries);
    }

    [Fact]
    public void Append_Nothing_ChangesNothing()
    {
        Log.Append([]);
        AssertLog(0, 0);
    }

    [Fact]
    public void Append_InSeveralBatches_Accumulates()
    {
        var entries = Run(1, 1, 30);
        for (var i = 0; i < 30; i += 7) Log.Append(entries.Skip(i).Take(7).ToArray());
        AssertLogAndAfterRestart(0, 0, entries);
    }

    [Fact]
    public void GetEntries_StopsBeforeTheByteBudget_ButReturnsAtLeastOne()
    {
        Log.Append(Run(1, 1, 10, dataBytes: 40)); // 64 bytes each by SizeBytes
        Assert.Equal(3, Log.GetEntries(I(1), I(11), 64 * 3).Count);
        Assert.Equal(3, Log.GetEntries(I(1), I(11), (64 * 4) - 1).Count);
        Assert.Single(Log.GetEntries(I(5), I(11), 1));
        Assert.Equal(2, Log.GetEntries(I(9), I(11), long.MaxValue).Count);
        Assert.Empty(Log.GetEntries(I(4), I(4), long.MaxValue));
        var middle = Log.GetEntries(I(4), I(8), long.MaxValue);
        Assert.Equal([4ul, 5, 6, 7], middle.Select(e => e.Index.Value));
    }

    [Fact]
    public void Append_BelowTheEnd_ReplacesTheConflictingSuffix()
    {
        Log.Append(Run(1, 1, 20));
        var replacement = Run(12, 3, 4);
        Log.Append(replacement);
        AssertLogAndAfterRestart(0, 0, [.. Run(1, 1, 11), .. replacement]);
    }

    [Fact]
    public void Append_AtTheFirstIndex_ReplacesEverything()
    {
        Log.Append(Run(1, 1, 20));
        var replacement = Run(1, 2, 3);
        Log.Append(replacement);
        AssertLogAndAfterRestart(0, 0, replacement);
    }

    [Fact]
    public void Append_ShorterSuffix_ThenGrowAgain()
    {
        Log.Append(Run(1, 1, 25));
        Log.Append(Run(10, 2, 1));
        Log.Append(Run(11, 2, 20));
        AssertLogAndAfterRestart(0, 0, [.. Run(1, 1, 9), .. Run(10, 2, 21)]);
    }

    [Fact]
    public void Append_OutsideFirstToLastPlusOne_FailsFast()
    {
        Log.Append(Run(1, 1, 5));
        Assert.Throws<InvariantViolationException>(() => Log.Append(Run(7, 1, 1)));
        Log.Compact(I(3));
        Assert.Throws<InvariantViolationException>(() => Log.Append(Run(3, 2, 1)));
        AssertLog(3, 1, Run(4, 1, 2));
    }

    [Fact]
    public void Append_NonContiguousEntries_FailsFast()
    {
        Log.Append(Run(1, 1, 3));
        Assert.Throws<InvariantViolationException>(() => Log.Append([E(4, 1), E(6, 1)]));
    }

    [Fact]
    public void Compact_MovesTheBase_AndKeepsLaterEntries()
    {
        var entries = Run(1, 1, 10).Concat(Run(11, 2, 10)).ToArray();
        Log.Append(entries);
        Log.Compact(I(12));
        AssertLogAndAfterRestart(12, 2, entries[12..]);
        Assert.Throws<InvariantViolationException>(() => Log.TermAt(I(11)));
        Assert.Throws<InvariantViolationException>(() => Log.GetEntries(I(12), I(14), long.MaxValue));
    }

    [Fact]
    public void Compact_Twice_AndToTheLastIndex_LeavesAnEmptyLogThatGrows()
    {
        Log.Append(Run(1, 1, 30));
        Log.Compact(I(10));
        Log.Compact(I(30));
        AssertLogAndAfterRestart(30, 1);
        var more = Run(31, 2, 5);
        Log.Append(more);
        AssertLogAndAfterRestart(30, 1, more);
    }

    [Fact]
    public void Compact_OutsideBaseToLast_FailsFast()
    {
        Log.Append(Run(1, 1, 5));
        Log.Compact(I(2));
        Assert.Throws<InvariantViolationException>(() => Log.Compact(I(2)));
        Assert.Throws<InvariantViolationException>(() => Log.Compact(I(6)));
        AssertLog(2, 1, Run(3, 1, 3));
    }

    [Fact]
    public void Reset_DropsEveryEntry_AndSetsTheBase()
    {
        Log.Append(Run(1, 1, 30));
        Log.Reset(I(100), T(7));
        AssertLogAndAfterRestart(100, 7);
        var more = Run(101, 7, 4);
        Log.Append(more);
        AssertLogAndAfterRestart(100, 7, more);
    }

    [Fact]
    public void Reset_InsideTheLog_DiscardsTheEntriesAfterItToo()
    {
        Log.Append(Run(1, 1, 30));
        Log.Compact(I(5));
        Log.Reset(I(20), T(3));
        AssertLogAndAfterRestart(20, 3);
    }

    [Fact]
    public void TermAt_And_GetEntries_OutsideTheLog_FailFast()
    {
        Log.Append(Run(1, 1, 3));
        Assert.Throws<InvariantViolationException>(() => Log.TermAt(I(4)));
        Assert.Throws<InvariantViolationException>(() => Log.GetEntries(I(0), I(2), 100));
        Assert.Throws<InvariantViolationException>(() => Log.GetEntries(I(2), I(5), 100));
        Assert.Throws<InvariantViolationException>(() => Log.GetEntries(I(3), I(2), 100));
    }

    [Fact]
    public void ManyOperations_SurviveRestartsBetweenThem()
    {
        Log.Append(Run(1, 1, 40));
        _h.Restart();
        Log.Append(Run(35, 2, 10));
        _h.Restart();
        Log.Compact(I(20));
        _h.Restart();
        Log.Append(Run(45, 3, 3));
        AssertLogAndAfterRestart(20, 1, [.. Run(21, 1, 14), .. Run(35, 2, 10), .. Run(45, 3, 3)]);
    }
}

public sealed class InMemoryLogStoreContractTests() : LogStoreContract(new InMemoryHarness());

public sealed class FileLogStoreContractTests() : LogStoreContract(new FileHarness());

/// <summary>The file store with its cache large enough to hold everything (reads never touch the files) and big segments.</summary>
public sealed class FileLogStoreCachedContractTests() : LogStoreContract(new FileHarness(o => o with { EntryCacheBytes = 1 << 20, SegmentBytes = 1 << 20 }));

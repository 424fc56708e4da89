using Cairn.Consensus;
using Cairn.Consensus.Storage;
using Cairn.Storage.Log;
using Cairn.Storage.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using static Cairn.Storage.Tests.Support.Build;

namespace Cairn.Storage.Tests.Log;

/// <summary>
/// Model-based property: random sequences of Append (with overwrite), Compact, Reset, restart and budgeted reads run
/// against the file store and against <see cref="InMemoryLogStore"/> as the model; after every step both must hold
/// the same base, the same terms and the same entries, byte for byte. Each int decodes to an operation and two
/// operands, so FsCheck shrinks a failing sequence to a short one. Small segments and caches force rollover and
/// reads from files.
/// </summary>
public sealed class LogModelPropertyTests
{
    private static readonly (long Segment, long Cache)[] Shapes = [(256, 0), (512, 300), (4096, 1 << 20), (300, 2000)];

    [Fact]
    public void FileLog_BehavesLikeTheInMemoryLog_AcrossRestarts() =>
        Prop.ForAll((int[] ops, int shape) => Run(ops, shape, FsyncPolicy.Never))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(250));

    [Fact]
    public void FileLog_BehavesLikeTheInMemoryLog_WithFsyncPerBatch() =>
        Prop.ForAll((int[] ops, int shape) => Run(ops, shape, FsyncPolicy.PerBatch))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(25));

    private static bool Run(int[] ops, int shapeSeed, FsyncPolicy policy)
    {
        using var dir = new TempDirectory();
        var (segment, cache) = Shapes[(shapeSeed & 0x7fffffff) % Shapes.Length];
        var options = new StorageOptions { DataDirectory = dir.Path, SegmentBytes = segment, EntryCacheBytes = cache, FsyncPolicy = policy };
        var storage = FileStorage.Open(options, null, null, checkConsistency: false);
        var model = new InMemoryLogStore();
        try
        {
            foreach (var op in ops)
            {
                var (kind, a, b) = (op & 7, (op >> 3) & 0xff, (op >> 11) & 0xff);
                if (!Step(ref storage, options, model, kind, a, b)) return false;
                if (!Same(storage.Log, model, a)) return false;
            }
            storage.Dispose();
            storage = FileStorage.Open(options, null, null, checkConsistency: false);
            return Same(storage.Log, model, 0);
        }
        finally
        {
            storage.Dispose();
        }
    }

    private static bool Step(ref FileStorage storage, StorageOptions options, InMemoryLogStore model, int kind, int a, int b)
    {
        var lastTerm = model.TermAt(model.LastIndex).Value;
        switch (kind)
        {
            case < 4:
            {
                var span = model.LastIndex.Value - model.BaseIndex.Value + 1;
                var first = model.FirstIndex.Value + ((ulong)a % span);
                var term = Math.Max(first > model.FirstIndex.Value ? model.TermAt(new LogIndex(first - 1)).Value : model.BaseTerm.Value, 1) + (ulong)(b % 2);
                var entries = Enumerable.Range(0, 1 + (b % 5)).Select(i =>
                    new Entry(T(term), I(first + (ulong)i), (b & 8) != 0 ? EntryKind.Membership : EntryKind.Normal,
                        Payload(first + (ulong)i, term, (a * 7 + i * 13) % 160))).ToArray();
                model.Append(entries);
                storage.Log.Append(entries);
                return true;
            }
            case 4 when model.LastIndex > model.BaseIndex:
            {
                var upTo = I(model.BaseIndex.Value + 1 + ((ulong)a % (model.LastIndex.Value - model.BaseIndex.Value)));
                model.Compact(upTo);
                storage.Log.Compact(upTo);
                return true;
            }
            case 5 when (b & 3) == 0:
            {
                var index = I(model.BaseIndex.Value + ((ulong)a % 12));
                var term = T(lastTerm + (ulong)(b % 3));
                model.Reset(index, term);
                storage.Log.Reset(index, term);
                return true;
            }
            case 6:
                storage.Dispose();
                storage = FileStorage.Open(options, null, null, checkConsistency: false);
                return true;
            default:
                return true;
        }
    }

    private static bool Same(FileLogStore log, InMemoryLogStore model, int budgetSeed)
    {
        if (log.BaseIndex != model.BaseIndex || log.BaseTerm != model.BaseTerm || log.LastIndex != model.LastIndex) return false;
        for (var i = model.BaseIndex; i <= model.LastIndex; i = i.Next)
        {
            if (log.TermAt(i) != model.TermAt(i)) return false;
        }
        if (model.LastIndex == model.BaseIndex) return true;
        if (!SameEntries(log.GetEntries(log.FirstIndex, log.LastIndex.Next, long.MaxValue),
                model.GetEntries(model.FirstIndex, model.LastIndex.Next, long.MaxValue))) return false;
        // A budgeted read from somewhere in the middle returns the same prefix from both.
        var count = model.LastIndex.Value - model.BaseIndex.Value;
        var from = I(model.FirstIndex.Value + ((ulong)budgetSeed % count));
        var budget = 1 + (budgetSeed * 37 % 700);
        return SameEntries(log.GetEntries(from, model.LastIndex.Next, budget), model.GetEntries(from, model.LastIndex.Next, budget));
    }

    private static bool SameEntries(IReadOnlyList<Entry> actual, IReadOnlyList<Entry> expected) =>
        actual.Count == expected.Count && actual.Zip(expected).All(p =>
            p.First.Index == p.Second.Index && p.First.Term == p.Second.Term && p.First.Kind == p.Second.Kind
            && p.First.Data.Span.SequenceEqual(p.Second.Data.Span));
}

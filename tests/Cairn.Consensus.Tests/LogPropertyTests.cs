using Cairn.Consensus;
using Cairn.Consensus.Storage;
using FsCheck;
using FsCheck.Fluent;
using static Cairn.Consensus.Tests.Harness.Script;

namespace Cairn.Consensus.Tests;

/// <summary>
/// Model-based properties: random operation sequences (each int decodes to an operation and two operands, so
/// FsCheck can shrink a failing sequence) run against the log and against a plain list of terms.
/// </summary>
public sealed class LogPropertyTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(300);

    /// <summary>The model: terms of entries (base, last], after a base (index, term).</summary>
    private sealed class Model
    {
        public ulong BaseIndex;
        public ulong BaseTerm;
        public List<ulong> Terms = [];
        public ulong Last => BaseIndex + (ulong)Terms.Count;
        public ulong TermAt(ulong i) => i == BaseIndex ? BaseTerm : Terms[(int)(i - BaseIndex - 1)];
        public ulong LastTerm => Last == BaseIndex ? BaseTerm : Terms[^1];

        /// <summary>Store semantics: everything from <paramref name="first"/> on is replaced.</summary>
        public void AppendAt(ulong first, IEnumerable<ulong> terms)
        {
            Terms.RemoveRange((int)(first - BaseIndex - 1), (int)(Last - first + 1));
            Terms.AddRange(terms);
        }

        /// <summary>Raft follower semantics: entries already present with the same term stay; the first conflict truncates.</summary>
        public void AppendAfter(ulong prev, List<ulong> terms)
        {
            for (var k = 0; k < terms.Count; k++)
            {
                var index = prev + 1 + (ulong)k;
                if (index <= Last && TermAt(index) == terms[k]) continue;
                AppendAt(index, terms.Skip(k));
                return;
            }
        }
    }

    private static Entry[] Entries(ulong first, ulong term, int count) =>
        Enumerable.Range(0, count).Select(i => E(first + (ulong)i, term, $"{first + (ulong)i}:{term}")).ToArray();

    [Fact]
    public void InMemoryLogStore_AppendTruncateCompact_MatchesTheModel()
    {
        Prop.ForAll((int[] ops) =>
        {
            var store = new InMemoryLogStore();
            var model = new Model();
            foreach (var op in ops)
            {
                var (kind, a, b) = (op & 3, (op >> 2) & 0xff, (op >> 10) & 0xff);
                if (kind < 3)
                {
                    // Append 1..4 entries somewhere in [first, last + 1], truncating what follows.
                    var span = model.Last - model.BaseIndex + 1;
                    var first = model.BaseIndex + 1 + ((ulong)a % span);
                    var term = Math.Max(model.LastTerm, 1) + ((ulong)b % 2);
                    var entries = Entries(first, term, 1 + (b % 4));
                    store.Append(entries);
                    model.AppendAt(first, entries.Select(e => e.Term.Value));
                }
                else if (model.Last > model.BaseIndex)
                {
                    var upTo = model.BaseIndex + 1 + ((ulong)a % (model.Last - model.BaseIndex));
                    var baseTerm = model.TermAt(upTo);
                    store.Compact(I(upTo));
                    model.Terms.RemoveRange(0, (int)(upTo - model.BaseIndex));
                    (model.BaseIndex, model.BaseTerm) = (upTo, baseTerm);
                }
                if (!SameAsModel(store, model)) return false;
            }
            return true;
        }).Check(Runs);
    }

    private static bool SameAsModel(InMemoryLogStore store, Model model)
    {
        if (store.BaseIndex.Value != model.BaseIndex || store.BaseTerm.Value != model.BaseTerm || store.LastIndex.Value != model.Last) return false;
        for (var i = model.BaseIndex; i <= model.Last; i++)
        {
            if (store.TermAt(I(i)).Value != model.TermAt(i)) return false;
        }
        if (model.Last == model.BaseIndex) return true;
        // A byte cap returns a non-empty contiguous prefix that respects the cap unless a single entry exceeds it.
        var slice = store.GetEntries(store.FirstIndex, store.LastIndex.Next, 60);
        if (slice.Count == 0 || slice[0].Index != store.FirstIndex) return false;
        if (slice.Count > 1 && slice.Sum(e => e.SizeBytes) > 60) return false;
        return slice.Select((e, k) => e.Index.Value == model.BaseIndex + 1 + (ulong)k && e.Term.Value == model.TermAt(e.Index.Value)).All(ok => ok);
    }

    [Fact]
    public void RaftLog_UnstableOverlay_AlwaysReadsAsTheModel_AndPersistsIntoTheStore()
    {
        Prop.ForAll((int[] ops) =>
        {
            var store = new InMemoryLogStore();
            var log = new RaftLog(store, LogIndex.Zero, LogIndex.Zero);
            var model = new Model();
            ulong term = 1;
            foreach (var op in ops)
            {
                var (kind, a, b) = (op & 3, (op >> 2) & 0xff, (op >> 10) & 0xff);
                switch (kind)
                {
                    case 0:
                    case 1:
                        // A follower append after a matching prefix at or above the commit index.
                        var prev = log.Committed.Value + ((ulong)a % (model.Last - log.Committed.Value + 1));
                        term += (ulong)(b % 2);
                        var entries = Entries(prev + 1, term, 1 + (b % 3));
                        Assert.True(log.MatchTerm(I(prev), T(model.TermAt(prev))));
                        log.AppendFollowing(I(prev), entries, out _);
                        model.AppendAfter(prev, entries.Select(e => e.Term.Value).ToList());
                        break;
                    case 2:
                        // The driver persists what is unstable (a Ready cycle).
                        var unstable = log.TakeUnstable();
                        store.Append(unstable);
                        log.StableHandedOut();
                        break;
                    default:
                        // Commit something persisted, never past it.
                        var stable = log.StableLastIndex.Value;
                        if (stable > log.Committed.Value) log.CommitTo(I(log.Committed.Value + 1 + ((ulong)a % (stable - log.Committed.Value))));
                        break;
                }
                if (log.LastIndex.Value != model.Last) return false;
                for (var i = 0ul; i <= model.Last; i++)
                {
                    if (log.TermAt(I(i)) != T(model.TermAt(i))) return false;
                }
                // What the store holds up to the stable index is what the log says.
                for (var i = 1ul; i <= log.StableLastIndex.Value; i++)
                {
                    if (store.TermAt(I(i)).Value != model.TermAt(i)) return false;
                }
                if (log.Committed > log.StableLastIndex && log.Committed.Value > 0 && log.Committed > store.LastIndex) return false;
                var all = log.Slice(I(1), log.LastIndex.Next, long.MaxValue, int.MaxValue)!;
                if (all.Count != (int)model.Last || all.Where((e, k) => e.Index.Value != (ulong)k + 1).Any()) return false;
            }
            return true;
        }).Check(Runs);
    }
}

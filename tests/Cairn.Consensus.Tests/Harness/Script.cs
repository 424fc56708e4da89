using System.Text;
using Cairn.Consensus;
using Cairn.Consensus.Storage;

namespace Cairn.Consensus.Tests.Harness;

/// <summary>Short builders for scripted single-node tests: ids, entries, and nodes with a prepared log.</summary>
internal static class Script
{
    public static NodeId N(ulong id) => new(id);
    public static Term T(ulong term) => new(term);
    public static LogIndex I(ulong index) => new(index);

    public static Entry E(ulong index, ulong term, string data = "") =>
        new(new Term(term), new LogIndex(index), EntryKind.Normal, Encoding.UTF8.GetBytes(data));

    /// <summary>
    /// Node <paramref name="id"/> (voters 1..3 unless given) restarted with a persisted log whose entry i has term
    /// <paramref name="logTerms"/>[i-1], current term <paramref name="term"/>, and optional vote and commit.
    /// </summary>
    public static TestNode Node(ulong id = 1, ulong term = 0, ulong[]? logTerms = null, ulong vote = 0, ulong commit = 0,
        ulong[]? voters = null, Func<RaftConfig, RaftConfig>? tweak = null)
    {
        var membership = Membership.OfVoters(voters ?? [1, 2, 3]);
        var config = (tweak ?? (c => c))(TestCluster.DefaultConfig(id) with { Bootstrap = membership, PreVote = false });
        var node = new TestNode(id, () => config, (log, stable) =>
        {
            var terms = logTerms ?? [];
            if (terms.Length > 0) log.Append(terms.Select((t, i) => E((ulong)i + 1, t, $"e{i + 1}")).ToArray());
            stable.Save(new StableState(new HardState(new Term(term), new NodeId(vote), new LogIndex(commit)), membership));
        });
        node.Drain();
        return node;
    }

    /// <summary>Steps a message into the node and returns the messages of the Ready cycles that follow.</summary>
    public static List<Message> Receive(this TestNode node, Message message)
    {
        node.Raft.Step(message);
        return node.Drain();
    }

    public static T Single<T>(this IEnumerable<Message> messages) where T : Message => Assert.Single(messages.OfType<T>());
}

using Cairn.Consensus;
using Cairn.Consensus.Tests.Harness;
using static Cairn.Consensus.Tests.Harness.Script;

namespace Cairn.Consensus.Tests;

/// <summary>
/// A small seeded fault storm over the in-test network (message loss, crashes with restart from the stores,
/// partitions, snapshots, membership changes, reads), then a healing phase that must converge. The full simulator
/// lives in Cairn.Simulation; this keeps the core's own test suite able to catch regressions on its own.
/// </summary>
public sealed class RandomFaultTests
{
    /// <summary>40 seeds in CI; set CAIRN_CONSENSUS_SEEDS=N for an extended run over seeds 1..N.</summary>
    public static TheoryData<int> Seeds() =>
        [.. Enumerable.Range(1, int.TryParse(Environment.GetEnvironmentVariable("CAIRN_CONSENSUS_SEEDS"), out var n) && n > 0 ? n : 40)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomFaults_NeverBreakSafety_AndTheClusterConvergesOnceHealed(int seed)
    {
        var (cluster, staleReads) = RunStorm(seed, TestingFaults.None);

        cluster.AssertSafe();
        Assert.Empty(staleReads);
        foreach (var member in cluster.Leader!.Raft.Membership.Members)
            Assert.Equal(cluster.Leader.State, cluster[member.Value].State);
    }

    [Fact]
    public void RandomFaults_WithReadIndexAckedWithoutQuorum_ProduceStaleReads()
    {
        // The read check above has teeth: the same storms with the fault serve stale reads.
        var stale = Enumerable.Range(1, 40).Sum(seed => RunStorm(seed, TestingFaults.AckReadIndexWithoutQuorum).StaleReads.Count);

        Assert.True(stale > 0);
    }

    private static (TestCluster Cluster, List<string> StaleReads) RunStorm(int seed, TestingFaults faults)
    {
        var rng = new Random(seed);
        var cluster = TestCluster.Start(5, seed: seed, tweak: c => c with
        {
            Faults = faults,
            SnapshotChunkBytesMax = 64,
            SnapshotLogTailEntries = 4,
            EntriesPerMessageMax = 4,
            InflightMessagesMax = 4,
            PreVote = seed % 5 != 1,
            CheckQuorum = seed % 7 != 2,
            ReadMode = seed % 2 == 0 || seed % 7 == 2 ? ReadMode.Safe : ReadMode.LeaseBased,
        });
        var ids = cluster.Nodes.Keys.ToArray();
        var loss = 0.05 + (seed % 4 * 0.05);
        cluster.DropIf = _ => rng.NextDouble() < loss;
        if (seed % 3 == 0)
        {
            // Every third seed also reorders each batch and duplicates a few messages.
            cluster.Reorder = batch =>
            {
                var list = batch.ToList();
                for (var i = list.Count - 1; i > 0; i--)
                {
                    var j = rng.Next(i + 1);
                    (list[i], list[j]) = (list[j], list[i]);
                }
                if (list.Count > 0 && rng.Next(10) == 0) list.Add(list[rng.Next(list.Count)]);
                return list;
            };
        }
        ulong readId = 0;
        var readBounds = new Dictionary<ulong, LogIndex>();

        for (var step = 0; step < 400; step++)
        {
            var roll = rng.Next(100);
            var node = cluster[ids[rng.Next(ids.Length)]];
            switch (roll)
            {
                case < 45:
                    cluster.Tick(1 + rng.Next(3));
                    break;
                case < 65:
                    if (cluster.Leader is { } leader) cluster.Propose(leader.Id.Value, $"s{seed}-{step}");
                    break;
                case < 70:
                    if (node.Up && cluster.Nodes.Values.Count(n => !n.Up) < 2) node.Crash();
                    break;
                case < 76:
                    if (!node.Up) cluster.Restart(node.Id.Value);
                    break;
                case < 80:
                    var cut = ids.Where(_ => rng.Next(2) == 0).ToArray();
                    cluster.Partition(cut, ids.Except(cut).ToArray());
                    break;
                case < 83:
                    cluster.Heal(); // rarer than partitions: a partition lasts long enough for a new leader to emerge
                    break;
                case < 88:
                    if (node.Up) node.TakeSnapshot();
                    break;
                case < 95:
                    // A read on every running node. Every write acknowledged so far has an index ≤ the highest commit
                    // index anywhere, so that is the least index a linearizable read may return.
                    var bound = cluster.Nodes.Values.Max(n => n.Raft.Status.Commit);
                    foreach (var reader in cluster.Up)
                    {
                        if (reader.Raft.ReadIndex(++readId).Accepted) readBounds[readId] = bound;
                    }
                    cluster.Stabilize();
                    break;
                default:
                    if (cluster.Leader is { } l) ChangeMembership(cluster, l, rng);
                    break;
            }
        }

        // Healing: every node up, no loss, no partition. The cluster must elect a leader and converge.
        cluster.DropIf = null;
        cluster.Reorder = null;
        cluster.Heal();
        foreach (var n in cluster.Nodes.Values.Where(n => !n.Up).ToList()) cluster.Restart(n.Id.Value);
        cluster.WaitForLeader(1000);
        cluster.TickUntil(() =>
        {
            // A proposal can be lost with its leader; propose again until a leader applied it.
            if (cluster.Leader is { } leader && !leader.State.Contains("final")) cluster.Propose(leader.Id.Value, "final");
            return Converged(cluster);
        }, 1000, "every member applied everything the leader committed");

        var staleReads = cluster.Nodes.Values.SelectMany(n => n.Reads)
            .Where(read => read.Index < readBounds[read.RequestId])
            .Select(read => $"stale read {read.RequestId}: index {read.Index} < {readBounds[read.RequestId]}")
            .ToList();
        return (cluster, staleReads);
    }

    private static bool Converged(TestCluster cluster)
    {
        if (cluster.Leader is not { } leader || leader.State.LastOrDefault() != "final") return false;
        var commit = leader.Raft.Status.Commit;
        return leader.Raft.Membership.Members.All(m => cluster[m.Value].AppliedIndex >= commit);
    }

    /// <summary>Keeps at least three voters: removes a voter, or re-adds a removed node as a learner, or promotes a learner.</summary>
    private static void ChangeMembership(TestCluster cluster, TestNode leader, Random rng)
    {
        var m = leader.Raft.Membership;
        MembershipChange change;
        if (m.Learners.Count > 0) change = new(MembershipChangeKind.PromoteLearner, m.Learners[0]);
        else if (m.Voters.Count > 3 && rng.Next(2) == 0) change = new(MembershipChangeKind.Remove, m.Voters[rng.Next(m.Voters.Count)]);
        else if (cluster.Nodes.Keys.FirstOrDefault(k => !m.Contains(N(k))) is var outside and not 0) change = new(MembershipChangeKind.AddLearner, N(outside));
        else return;
        leader.Raft.ProposeMembershipChange(change);
        cluster.Stabilize();
    }
}

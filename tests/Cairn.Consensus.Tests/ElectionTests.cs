using Cairn.Consensus;
using Cairn.Consensus.Tests.Harness;

namespace Cairn.Consensus.Tests;

public sealed class ElectionTests
{
    [Fact]
    public void Cluster_ElectsExactlyOneLeader_FromRandomizedTimeouts()
    {
        var cluster = TestCluster.Start(3);
        var leader = cluster.WaitForLeader();

        Assert.Single(cluster.Nodes.Values, n => n.Raft.Role == RaftRole.Leader);
        Assert.All(cluster.Nodes.Values, n => Assert.Equal(leader.Id, n.Raft.Leader));
        Assert.All(cluster.Nodes.Values, n => Assert.Equal(leader.Raft.Term, n.Raft.Term));
        cluster.AssertSafe();
    }

    [Fact]
    public void SingleVoter_BecomesLeader_AndCommitsAlone()
    {
        var cluster = TestCluster.Start(1);
        var leader = cluster.WaitForLeader();

        var result = cluster.Propose(1, "a", "b");

        Assert.True(result.Accepted);
        Assert.Equal(["a", "b"], leader.State);
        Assert.Equal(result.LastIndex, leader.Raft.Status.Commit);
    }

    [Fact]
    public void NewLeader_AppendsNoopOfItsTerm_AndCommitsIt()
    {
        var cluster = TestCluster.Start(3);
        var leader = cluster.ElectLeader(1);

        var noop = leader.AppliedHistory[1];
        Assert.Equal(EntryKind.Normal, noop.Kind);
        Assert.True(noop.Data.IsEmpty);
        Assert.Equal(leader.Raft.Term, noop.Term);
        Assert.All(cluster.Nodes.Values, n => Assert.Equal(new LogIndex(1), n.Raft.Status.Commit));
    }

    [Fact]
    public void Follower_StartsElection_AfterElectionTimeoutWithoutLeader()
    {
        var cluster = TestCluster.Start(3);
        cluster.ElectLeader(1);
        cluster.Crash(1);

        cluster.TickUntil(() => cluster.Leader is { } l && l.Id != new NodeId(1), 100, "a new leader among 2 and 3");

        Assert.True(cluster.Leader!.Raft.Term > new Term(1));
        cluster.AssertSafe();
    }

    [Fact]
    public void ElectionTimeout_IsRandomizedWithin_ElectionTicks_And_TwiceElectionTicks()
    {
        var ticksToCampaign = new List<int>();
        for (var seed = 0; seed < 30; seed++)
        {
            var config = TestCluster.DefaultConfig(1, seed) with { Bootstrap = Membership.OfVoters(1, 2, 3), PreVote = false };
            var node = new TestNode(1, () => config);
            node.Drain();
            var ticks = 0;
            while (node.Raft.Role == RaftRole.Follower && ticks < 100)
            {
                node.Raft.Tick();
                ticks++;
            }
            ticksToCampaign.Add(ticks);
        }
        Assert.All(ticksToCampaign, t => Assert.InRange(t, 10, 19));
        Assert.True(ticksToCampaign.Distinct().Count() > 3, "timeouts must vary with the injected random source");
    }

    [Fact]
    public void Candidate_LosesElection_WhenAMajorityRejects_AndReturnsToFollower()
    {
        var cluster = TestCluster.Start(3, tweak: c => c with { PreVote = false });
        cluster.ElectLeader(1);
        cluster.Propose(1, "x");
        cluster.Crash(1);
        // Node 3 missed the entry: its log is behind, so 2 refuses it.
        var node3Log = cluster[3];
        cluster.Isolate(3);
        cluster.Heal();
        cluster.Cut(1, 3);

        Assert.Equal(new LogIndex(2), cluster[2].Raft.Status.LastIndex);
        cluster[3].Raft.Campaign();
        cluster.Stabilize();

        Assert.NotEqual(RaftRole.Leader, node3Log.Raft.Role);
        cluster.AssertSafe();
    }

    [Fact]
    public void NonVoter_NeverCampaigns()
    {
        var cluster = TestCluster.Start(2, learners: 1);
        cluster.ElectLeader(1);
        cluster.Crash(1);
        cluster.Crash(2);

        cluster.Tick(100);

        Assert.Equal(RaftRole.Follower, cluster[3].Raft.Role);
        Assert.DoesNotContain(cluster.Delivered, m => m.From == new NodeId(3) && m is VoteRequest);
    }

    [Fact]
    public void SameSeedAndInputs_ProduceTheSameMessagesInTheSameOrder()
    {
        static string Run()
        {
            var cluster = TestCluster.Start(5, seed: 42);
            cluster.WaitForLeader();
            cluster.Propose(cluster.Leader!.Id.Value, "a", "b", "c");
            cluster.Crash(cluster.Leader!.Id.Value);
            cluster.WaitForLeader();
            return string.Join("\n", cluster.Delivered.Select(m => m.ToString()));
        }

        Assert.Equal(Run(), Run());
    }
}

using Cairn.Consensus;
using Cairn.Consensus.Tests.Harness;
using static Cairn.Consensus.Tests.Harness.Script;

namespace Cairn.Consensus.Tests;

/// <summary>One scripted test (or more) per rule of Raft's Figure 2, on a single node fed hand-made messages.</summary>
public sealed class Figure2Tests
{
    // ---- All servers: term rules ----

    [Fact]
    public void Leader_StepsDown_OnAnyMessageWithHigherTerm()
    {
        var cluster = TestCluster.Start(3);
        var leader = cluster.ElectLeader(1);

        leader.Receive(new HeartbeatResponse(N(2), N(1), T(5), 0));

        Assert.Equal(RaftRole.Follower, leader.Raft.Role);
        Assert.Equal(T(5), leader.Raft.Term);
        Assert.True(leader.Raft.Leader.IsNone);
    }

    [Fact]
    public void Follower_AdoptsHigherTerm_AndItsLeader_FromAppendEntries()
    {
        var node = Node(term: 1, logTerms: [1]);

        node.Receive(new AppendEntries(N(3), N(1), T(4), I(1), T(1), I(0), []));

        Assert.Equal(T(4), node.Raft.Term);
        Assert.Equal(N(3), node.Raft.Leader);
        Assert.Equal(T(4), node.Stable.Load()!.HardState.Term);
    }

    [Fact]
    public void Follower_RejectsAppend_WhenTermIsStale()
    {
        var node = Node(term: 3, logTerms: [1, 3]);

        var replies = node.Receive(new AppendEntries(N(2), N(1), T(2), I(2), T(3), I(0), [E(3, 2)]));

        var reply = replies.Single<AppendEntriesResponse>();
        Assert.False(reply.Success);
        Assert.Equal(T(3), reply.Term); // tells the stale leader the current term
        Assert.Equal(I(2), node.Raft.Status.LastIndex);
    }

    [Fact]
    public void Node_IgnoresVoteRequest_FromStaleTerm()
    {
        var node = Node(term: 3);

        var replies = node.Receive(new VoteRequest(N(2), N(1), T(2), I(10), T(2), PreVote: false, Transfer: false));

        Assert.Empty(replies);
        Assert.Equal(T(3), node.Raft.Term);
    }

    // ---- RequestVote ----

    [Fact]
    public void Follower_GrantsAtMostOneVotePerTerm()
    {
        var node = Node(term: 1, logTerms: [1]);

        var first = node.Receive(new VoteRequest(N(2), N(1), T(2), I(1), T(1), false, false)).Single<VoteResponse>();
        var second = node.Receive(new VoteRequest(N(3), N(1), T(2), I(1), T(1), false, false)).Single<VoteResponse>();
        var again = node.Receive(new VoteRequest(N(2), N(1), T(2), I(1), T(1), false, false)).Single<VoteResponse>();

        Assert.True(first.Granted);
        Assert.False(second.Granted);
        Assert.True(again.Granted); // a retransmitted request from the same candidate is answered the same way
        Assert.Equal(N(2), node.Stable.Load()!.HardState.Vote);
    }

    [Fact]
    public void Vote_IsPersisted_InTheSameReadyThatCarriesTheGrant()
    {
        var node = Node(term: 1, logTerms: [1]);
        node.Raft.Step(new VoteRequest(N(2), N(1), T(2), I(1), T(1), false, false));

        var ready = node.Raft.GetReady();

        Assert.Equal(new HardState(T(2), N(2), I(0)), ready.HardState);
        Assert.Contains(ready.Messages, m => m is VoteResponse { Granted: true });
        ReadyPersistence.Persist(ready, node.Log, node.Stable, node.Snapshots);
        node.Raft.Advance(ready);
    }

    [Fact]
    public void RestartedNode_RemembersItsVote_AndDoesNotVoteTwice()
    {
        var node = Node(term: 1, logTerms: [1]);
        node.Receive(new VoteRequest(N(2), N(1), T(2), I(1), T(1), false, false));

        node.Restart();
        var reply = node.Receive(new VoteRequest(N(3), N(1), T(2), I(1), T(1), false, false)).Single<VoteResponse>();

        Assert.False(reply.Granted);
    }

    [Theory]
    [InlineData(3ul, 2ul, false)] // shorter log, same last term
    [InlineData(4ul, 1ul, false)] // longer log, lower last term
    [InlineData(3ul, 3ul, true)] // equal
    [InlineData(2ul, 4ul, true)] // shorter log, higher last term
    [InlineData(5ul, 3ul, true)] // longer log, same last term
    public void Follower_GrantsVote_OnlyToCandidatesWithAtLeastAsUpToDateLog(ulong candidateLastIndex, ulong candidateLastTerm, bool granted)
    {
        var node = Node(term: 3, logTerms: [1, 2, 3]);

        var reply = node.Receive(new VoteRequest(N(2), N(1), T(5), I(candidateLastIndex), T(candidateLastTerm), false, false)).Single<VoteResponse>();

        Assert.Equal(granted, reply.Granted);
    }

    // ---- AppendEntries ----

    [Fact]
    public void Follower_RejectsAppend_WhenPrevLogTermDoesNotMatch_WithConflictHint()
    {
        var node = Node(term: 3, logTerms: [1, 2, 2, 2]);

        var reply = node.Receive(new AppendEntries(N(2), N(1), T(3), I(4), T(3), I(0), [E(5, 3)])).Single<AppendEntriesResponse>();

        Assert.False(reply.Success);
        Assert.Equal(I(4), reply.Index);
        // Index 4 has term 2 ≤ 3: the leader should look for its own last entry with a term ≤ 2 at or below 4.
        Assert.Equal(I(4), reply.RejectHintIndex);
        Assert.Equal(T(2), reply.RejectHintTerm);
        Assert.Equal(I(4), node.Raft.Status.LastIndex);
    }

    [Fact]
    public void Follower_RejectsAppend_WhenPrevLogIndexIsPastItsLog_HintingItsEnd()
    {
        var node = Node(term: 2, logTerms: [1, 2]);

        var reply = node.Receive(new AppendEntries(N(2), N(1), T(2), I(7), T(2), I(0), [])).Single<AppendEntriesResponse>();

        Assert.False(reply.Success);
        Assert.Equal(I(2), reply.RejectHintIndex);
        Assert.Equal(T(2), reply.RejectHintTerm);
    }

    [Fact]
    public void Follower_TruncatesConflictingSuffix_AndAppendsLeaderEntries()
    {
        var node = Node(term: 2, logTerms: [1, 2, 2, 2]);

        var reply = node.Receive(new AppendEntries(N(2), N(1), T(3), I(2), T(2), I(0), [E(3, 3, "new3"), E(4, 3, "new4")]))
            .Single<AppendEntriesResponse>();

        Assert.True(reply.Success);
        Assert.Equal(I(4), reply.Index);
        Assert.Equal(T(3), node.Log.TermAt(I(3)));
        Assert.Equal(T(3), node.Log.TermAt(I(4)));
        Assert.Equal(I(4), node.Log.LastIndex);
    }

    [Fact]
    public void Follower_KeepsEntriesAfterAMatchingPrefix_WhenAStaleAppendArrives()
    {
        var node = Node(term: 2, logTerms: [1, 2, 2, 2]);

        // A delayed AppendEntries carrying only entry 3, which the follower already has: nothing after it is lost.
        var reply = node.Receive(new AppendEntries(N(2), N(1), T(2), I(2), T(2), I(0), [E(3, 2, "e3")])).Single<AppendEntriesResponse>();

        Assert.True(reply.Success);
        Assert.Equal(I(3), reply.Index);
        Assert.Equal(I(4), node.Log.LastIndex);
    }

    [Fact]
    public void Follower_SetsCommit_ToMinOfLeaderCommitAndLastNewEntry()
    {
        var node = Node(term: 2, logTerms: [1, 1, 1, 1, 1]);

        // The log past entry 3 is not vouched for by this message, so commit stops at 3 although the leader's is 5.
        node.Receive(new AppendEntries(N(2), N(1), T(2), I(2), T(1), I(5), [E(3, 1, "e3")]));

        Assert.Equal(I(3), node.Raft.Status.Commit);
        Assert.Equal(["e1", "e2", "e3"], node.State);
    }

    [Fact]
    public void Follower_AcknowledgesItsCommitIndex_ForAppendsBelowIt()
    {
        var node = Node(term: 2, logTerms: [1, 1, 1], commit: 3);

        var reply = node.Receive(new AppendEntries(N(2), N(1), T(2), I(1), T(1), I(3), [E(2, 1, "e2")])).Single<AppendEntriesResponse>();

        Assert.True(reply.Success);
        Assert.Equal(I(3), reply.Index);
    }

    // ---- Leaders: commit ----

    [Fact]
    public void Leader_CommitsAnEntry_OnlyOnceAMajorityStoredIt()
    {
        var cluster = TestCluster.Start(5);
        cluster.ElectLeader(1);
        cluster.Cut(1, 3);
        cluster.Cut(1, 4);
        cluster.Cut(1, 5);

        var result = cluster.Propose(1, "x");
        Assert.True(cluster[1].Raft.Status.Commit < result.LastIndex); // 2 of 5

        cluster.Heal();
        cluster.Cut(1, 4);
        cluster.Cut(1, 5);
        cluster.Tick(2);
        Assert.Equal(result.LastIndex, cluster[1].Raft.Status.Commit); // 3 of 5
    }

    [Fact]
    public void Leader_DoesNotCountItsOwnLog_BeforeItIsPersisted()
    {
        var cluster = TestCluster.Start(1);
        var leader = cluster.WaitForLeader();

        leader.Raft.Propose([new byte[] { 1 }]);
        var ready = leader.Raft.GetReady();

        Assert.Single(ready.EntriesToPersist);
        Assert.Empty(ready.CommittedEntries);
        ReadyPersistence.Persist(ready, leader.Log, leader.Stable, leader.Snapshots);
        leader.Raft.Advance(ready);
        Assert.Equal(ready.EntriesToPersist[0].Index, leader.Raft.Status.Commit);
    }

    [Fact]
    public void Leader_DoesNotCommitAnEarlierTermEntry_ByCountingReplicas()
    {
        // Figure 8: entry 2 of term 1 sits on a majority, yet committing it by counting would let S5 erase it.
        var cluster = Figure8.Run(faults: TestingFaults.None);

        Assert.DoesNotContain("a", cluster[1].State);
        cluster.AssertSafe();
    }

    // ---- Election restriction ----

    [Fact]
    public void CandidateMissingACommittedEntry_CannotWin()
    {
        var cluster = TestCluster.Start(3, tweak: c => c with { PreVote = false });
        cluster.ElectLeader(1);
        cluster.Cut(1, 3);
        cluster.Propose(1, "x"); // committed on 1 and 2
        Assert.Equal(["x"], cluster[1].State);
        cluster.Crash(1);
        cluster.Heal();

        cluster[3].Raft.Campaign();
        cluster.Stabilize();
        Assert.NotEqual(RaftRole.Leader, cluster[3].Raft.Role);

        var leader = cluster.WaitForLeader();
        Assert.Equal(N(2), leader.Id);
        cluster.AssertSafe();
    }
}

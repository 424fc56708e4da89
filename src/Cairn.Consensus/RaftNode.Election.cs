namespace Cairn.Consensus;

public sealed partial class RaftNode
{
    private int _electionElapsed;
    private int _heartbeatElapsed;
    private int _randomizedElectionTimeout;

    // Votes received in the current (pre-)campaign; looked up only, never iterated to produce output.
    private readonly Dictionary<NodeId, bool> _votes = [];

    /// <summary>A voter of its own configuration, not in the middle of installing a snapshot, not recovering lost state.</summary>
    private bool Promotable => _membership.IsVoter(Id) && _log.PendingSnapshot is null && !_recovering;

    /// <summary>Advances logical time by one tick: election timeouts, heartbeats, check-quorum, transfer and snapshot timeouts.</summary>
    public void Tick()
    {
        AssertNoReadyOutstanding();
        if (_role == RaftRole.Leader) TickLeader();
        else TickElection();
    }

    /// <summary>Starts an election now (tests and operators); ignored on a leader or a node that may not campaign.</summary>
    public void Campaign()
    {
        AssertNoReadyOutstanding();
        if (_role == RaftRole.Leader || !Promotable) return;
        StartElection(_config.PreVote, transfer: false);
    }

    private void TickElection()
    {
        TickRecovery();
        _electionElapsed++;
        if (Promotable && _electionElapsed >= _randomizedElectionTimeout)
        {
            _electionElapsed = 0;
            StartElection(_config.PreVote, transfer: false);
        }
    }

    private void TickLeader()
    {
        _heartbeatElapsed++;
        _electionElapsed++;
        if (_leaseBlockedTicks > 0) _leaseBlockedTicks--;
        foreach (var progress in PeersInOrder())
        {
            progress.TicksSinceContact++;
            if (progress.State == ProgressState.Snapshot) progress.SnapshotTicksSinceAck++;
        }

        if (_electionElapsed >= _config.ElectionTicks)
        {
            _electionElapsed = 0;
            if (_config.CheckQuorum)
            {
                if (!QuorumRecentlyActive())
                {
                    BecomeFollower(_term, NodeId.None);
                    return;
                }
                foreach (var progress in PeersInOrder()) progress.RecentActive = false;
            }
            if (!_leadTransferee.IsNone) _leadTransferee = NodeId.None; // the target did not take over in time
        }

        if (_heartbeatElapsed >= _config.HeartbeatTicks)
        {
            _heartbeatElapsed = 0;
            TickDemotions();
            BroadcastHeartbeat(LatestReadContext);
        }
        ResendStalledSnapshots();
    }

    private bool QuorumRecentlyActive()
    {
        var active = 0;
        foreach (var voter in _membership.Voters)
        {
            if (CountsForQuorum(voter) && (voter == Id || _progress[voter].RecentActive)) active++;
        }
        return active >= _membership.Quorum;
    }

    private void StartElection(bool preVote, bool transfer)
    {
        if (preVote) BecomePreCandidate();
        else BecomeCandidate();

        if (Poll(Id, granted: true) == VoteOutcome.Won)
        {
            ElectionWon();
            return;
        }
        var term = preVote ? _term.Next : _term;
        foreach (var voter in _membership.Voters)
        {
            if (voter == Id) continue;
            Send(new VoteRequest(Id, voter, term, _log.LastIndex, _log.LastTerm, preVote, transfer));
        }
    }

    private void ElectionWon()
    {
        if (_role == RaftRole.PreCandidate) StartElection(preVote: false, transfer: false);
        else BecomeLeader();
    }

    private void HandleVoteRequest(VoteRequest request)
    {
        // Figure 2, RequestVote: grant if we have not voted for someone else in this term (a pre-vote for a later
        // term binds nothing) and the candidate's log is at least as up to date as ours (election restriction).
        var canVote = (!_recovering || MayVoteWhileRecovering(request)) && (_vote == request.From
            || (_vote.IsNone && _leader.IsNone)
            || (request.PreVote && request.Term > _term)
            || _faults.HasFlag(TestingFaults.GrantMultipleVotesPerTerm));
        var upToDate = _faults.HasFlag(TestingFaults.SkipLogUpToDateCheck) || _log.IsUpToDate(request.LastLogIndex, request.LastLogTerm);
        if (canVote && upToDate)
        {
            Send(new VoteResponse(Id, request.From, request.Term, request.PreVote, Granted: true));
            if (!request.PreVote)
            {
                _electionElapsed = 0;
                SetVote(request.From);
            }
        }
        else
        {
            Send(new VoteResponse(Id, request.From, _term, request.PreVote, Granted: false));
        }
    }

    private void HandleVoteResponse(VoteResponse response)
    {
        // A granted pre-vote must be for the term this pre-campaign asks for, not a late answer to an older one.
        if (response.Granted && response.PreVote && response.Term != _term.Next) return;
        switch (Poll(response.From, response.Granted))
        {
            case VoteOutcome.Won:
                ElectionWon();
                break;
            case VoteOutcome.Lost:
                BecomeFollower(_term, NodeId.None);
                break;
            default:
                break;
        }
    }

    private enum VoteOutcome { Pending, Won, Lost }

    private VoteOutcome Poll(NodeId voter, bool granted)
    {
        _votes.TryAdd(voter, granted);
        int yes = 0, no = 0;
        foreach (var v in _membership.Voters)
        {
            if (!_votes.TryGetValue(v, out var g)) continue;
            if (g) yes++;
            else no++;
        }
        if (yes >= _membership.Quorum) return VoteOutcome.Won;
        if (no > _membership.Voters.Count - _membership.Quorum) return VoteOutcome.Lost;
        return VoteOutcome.Pending;
    }

    private void SetVote(NodeId candidate)
    {
        if (!_vote.IsNone && _vote != candidate && !_faults.HasFlag(TestingFaults.GrantMultipleVotesPerTerm))
            Invariant.Fail($"at most one vote per term: voted {_vote} in term {_term}, asked to vote {candidate}");
        _vote = candidate;
    }

    private void ResetTerm(Term term)
    {
        if (term < _term) Invariant.Fail($"term never decreases ({_term} → {term})");
        if (term != _term)
        {
            _term = term;
            _vote = NodeId.None;
        }
        _leader = NodeId.None;
        _electionElapsed = 0;
        _heartbeatElapsed = 0;
        _randomizedElectionTimeout = _config.ElectionTicks + _config.Random.Next(_config.ElectionTicks);
        _leadTransferee = NodeId.None;
        _leaseBlockedTicks = 0;
        _votes.Clear();
        _progress.Clear();
        DropPendingReads();
        _uncommittedBytes = 0;
    }

    private void BecomeFollower(Term term, NodeId leader)
    {
        ResetTerm(term);
        _step = StepFollower;
        _role = RaftRole.Follower;
        _leader = leader;
    }

    private void BecomePreCandidate()
    {
        Invariant.Check(_role != RaftRole.Leader, "a leader does not campaign");
        // Term and vote are untouched: a pre-campaign must not disturb anyone if it fails.
        _step = StepCandidate;
        _role = RaftRole.PreCandidate;
        _leader = NodeId.None;
        _votes.Clear();
    }

    private void BecomeCandidate()
    {
        Invariant.Check(_role != RaftRole.Leader, "a leader does not campaign");
        ResetTerm(_term.Next);
        SetVote(Id);
        _step = StepCandidate;
        _role = RaftRole.Candidate;
    }

    private void BecomeLeader()
    {
        Invariant.Check(_role == RaftRole.Candidate, "only a candidate becomes leader");
        ResetTerm(_term);
        _step = StepLeader;
        _role = RaftRole.Leader;
        _leader = Id;
        SyncProgressWithMembership();
        foreach (var progress in PeersInOrder()) progress.RecentActive = false;
        // The no-op: an entry of the new term whose commit also commits everything before it (Figure 8).
        AppendAsLeader([new Entry(_term, _log.LastIndex.Next, EntryKind.Normal, ReadOnlyMemory<byte>.Empty)]);
    }
}

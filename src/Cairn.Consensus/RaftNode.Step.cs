namespace Cairn.Consensus;

public sealed partial class RaftNode
{
    // The role's message handler: StepLeader, StepCandidate (pre-candidates too) or StepFollower.
    private Action<Message> _step;

    /// <summary>
    /// Feeds one message from a peer. Term rules (Figure 2: a higher term turns this node into a follower; a lower
    /// term is stale) are applied here for every role, then the role's step function handles the message.
    /// </summary>
    public void Step(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        AssertNoReadyOutstanding();
        Invariant.Check(message.To == Id && message.From != Id && !message.From.IsNone, "a message must be addressed to this node by a peer");

        if (message.Term > _term)
        {
            if (message is VoteRequest request && !request.Transfer && InLeaderLease)
            {
                // Leader stickiness: a node that heard from a live leader within an election timeout ignores
                // campaigns, so a node rejoining from a partition cannot depose a healthy leader.
                return;
            }
            switch (message)
            {
                case VoteRequest { PreVote: true }:
                    // A pre-vote does not change anyone's term.
                    break;
                case VoteResponse { PreVote: true, Granted: true }:
                    // A granted pre-vote echoes the term we would campaign in; we are not in it yet.
                    break;
                case AppendEntries or Heartbeat or InstallSnapshot:
                    BecomeFollower(message.Term, message.From);
                    break;
                default:
                    BecomeFollower(message.Term, NodeId.None);
                    break;
            }
        }
        else if (message.Term < _term)
        {
            RespondToStaleTerm(message);
            return;
        }

        if (message is VoteRequest vote)
        {
            HandleVoteRequest(vote);
            return;
        }
        _step(message);
        if (_recovering)
        {
            MaybeEndRecovery();
            RequestBarrierIfDue();
        }
    }

    private bool InLeaderLease => _config.CheckQuorum && !_leader.IsNone && _electionElapsed < _config.ElectionTicks;

    private void RespondToStaleTerm(Message message)
    {
        switch (message)
        {
            case AppendEntries or Heartbeat or InstallSnapshot when _config.CheckQuorum || _config.PreVote:
                // A leader cut off while the rest moved on would otherwise never learn the new term: with pre-vote
                // and check-quorum nobody disrupts it with a vote request. Our answer carries the higher term.
                Send(new AppendEntriesResponse(Id, message.From, _term, false, LogIndex.Zero, LogIndex.Zero, Term.Zero, AnswersAsRecovering));
                break;
            case VoteRequest { PreVote: true }:
                Send(new VoteResponse(Id, message.From, _term, PreVote: true, Granted: false));
                break;
            default:
                break; // stale: ignore
        }
    }

    private void StepFollower(Message message)
    {
        switch (message)
        {
            case AppendEntries append:
                HeardFromLeader(append.From);
                HandleAppendEntries(append);
                break;
            case Heartbeat heartbeat:
                HeardFromLeader(heartbeat.From);
                HandleHeartbeat(heartbeat);
                break;
            case InstallSnapshot chunk:
                HeardFromLeader(chunk.From);
                HandleSnapshotChunk(chunk);
                break;
            case TimeoutNow:
                if (Promotable) StartElection(preVote: false, transfer: true);
                break;
            case ReadIndexResponse read:
                if (!TakeRecoveryBarrier(read)) _readStates.Add(new ReadState(read.RequestId, read.ReadIndex));
                break;
            default:
                break; // responses to requests of a role we no longer hold
        }
    }

    private void StepCandidate(Message message)
    {
        switch (message)
        {
            case AppendEntries or Heartbeat or InstallSnapshot:
                // Someone won this term: follow it.
                BecomeFollower(_term, message.From);
                StepFollower(message);
                break;
            case VoteResponse response when response.PreVote == (_role == RaftRole.PreCandidate):
                HandleVoteResponse(response);
                break;
            default:
                break;
        }
    }

    private void StepLeader(Message message)
    {
        var progress = _progress.GetValueOrDefault(message.From);
        if (progress is not null)
        {
            progress.RecentActive = true;
            progress.TicksSinceContact = 0;
        }
        switch (message)
        {
            case AppendEntriesResponse response when progress is not null:
                ObservePeerRecovering(progress, response.Recovering);
                HandleAppendResponse(progress, response);
                break;
            case HeartbeatResponse response when progress is not null:
                ObservePeerRecovering(progress, response.Recovering);
                HandleHeartbeatResponse(progress, response);
                break;
            case InstallSnapshotResponse response when progress is not null:
                ObservePeerRecovering(progress, response.Recovering);
                HandleSnapshotResponse(progress, response);
                break;
            case ReadIndexRequest request:
                EnqueueRead(new PendingRead(request.From, request.RequestId, Lease: false));
                break;
            default:
                break; // includes AppendEntries of the same term, which only a safety bug could produce
        }
    }

    private void HeardFromLeader(NodeId leader)
    {
        _electionElapsed = 0;
        _leader = leader;
    }
}

using Cairn.Consensus;

namespace Cairn.Simulation;

internal sealed partial class Cluster
{
    /// <summary>Ticks a probe answer needs at least (a round trip at the smallest delay).</summary>
    private const int ProbeRoundTripTicks = 2;

    /// <summary>AmnesicMajority runs: the nemesis wiped a majority of the voters at once (liveness is then not required).</summary>
    public bool AmnesicMajorityHappened { get; set; }

    /// <summary>The voters as the leader sees them; without a leader, as the up node in the highest term does; else the founders.</summary>
    public IReadOnlyList<NodeId> CurrentVoters()
    {
        var best = CurrentLeader();
        if (best is null)
        {
            foreach (var node in _nodes)
            {
                if (node.IsUp && (best is null || node.UpRaft.Term > best.UpRaft.Term)) best = node;
            }
        }
        return best?.UpRaft.Membership.Voters ?? [.. _nodes.Take(Options.InitialVoters).Select(n => n.Id)];
    }

    /// <summary>
    /// In-memory runs: with <paramref name="extra"/> amnesic too, the amnesic members of <paramref name="voters"/> and of
    /// every configuration a running node holds stay at most a minority, so the others can still elect a leader who
    /// holds the data (an amnesic voter abstains until it caught up). Durable runs: always true.
    /// </summary>
    public bool AmnesicMinorityWith(IReadOnlyList<NodeId> voters, NodeId extra)
    {
        if (Options.Storage != StorageMode.InMemory) return true;
        if (!IsAmnesicMinority(voters, extra)) return false;
        foreach (var node in _nodes)
        {
            if (node is { IsUp: true, Amnesic: false } && !IsAmnesicMinority(node.UpRaft.Membership.Voters, extra)) return false;
        }
        return true;
    }

    /// <summary>
    /// In-memory runs keep amnesia and membership changes apart (unless <see cref="SimMode.AmnesiaDuringMembershipChange"/>):
    /// an amnesic voter abstains until a leader caught it up, and when it was the only node able to win an election under
    /// the configurations in flight, nobody can ever be elected (found by this simulator; see DESIGN.md). No change while
    /// a node is amnesic.
    /// </summary>
    public bool MembershipChangeAllowed() =>
        Options.Storage != StorageMode.InMemory || Options.Mode.HasFlag(SimMode.AmnesiaDuringMembershipChange) || !_nodes.Any(n => n.Amnesic);

    /// <summary>The other half of <see cref="MembershipChangeAllowed"/>: no amnesia while the running nodes disagree on the configuration.</summary>
    public bool AmnesiaAllowedByMembership()
    {
        if (Options.Mode.HasFlag(SimMode.AmnesiaDuringMembershipChange)) return true;
        Membership? seen = null;
        foreach (var node in _nodes)
        {
            if (node is not { IsUp: true, Amnesic: false }) continue;
            if (seen is null) seen = node.UpRaft.Membership;
            else if (!seen.Equals(node.UpRaft.Membership)) return false;
        }
        return true;
    }

    // Voters a leader demoted because they restarted empty (RaftNode.Recovery.cs), until promoted or removed.
    private readonly HashSet<NodeId> _demoted = [];

    /// <summary>
    /// The product's policy (ClusterNode's maintenance promotes caught-up learners): a voter the core demoted when it
    /// restarted empty becomes a voter again once it finished recovering and holds the leader's commit.
    /// </summary>
    private void PromoteRecoveredLearners()
    {
        if (_demoted.Count == 0) return;
        var leader = CurrentLeader();
        if (leader is null || leader.IsSyncing) return;
        var status = leader.UpRaft.Status;
        foreach (var peer in status.Progress)
        {
            if (!peer.IsLearner || peer.Recovering || !_demoted.Contains(peer.Node)) continue;
            if (peer.State != ProgressState.Replicate || peer.Match < status.Commit) continue;
            var accepted = leader.UpRaft.ProposeMembershipChange(new MembershipChange(MembershipChangeKind.PromoteLearner, peer.Node)).Accepted;
            Checker.AfterStep(leader);
            if (!accepted) return;
            Stats.RecoveredLearnersPromoted++;
            Log($"promote {peer.Node} (recovered) via {leader.Id}");
            return;
        }
    }

    private bool IsAmnesicMinority(IReadOnlyList<NodeId> voters, NodeId extra) =>
        voters.Count(v => v == extra || NodeById(v) is { Amnesic: true }) <= (voters.Count - 1) / 2 || voters.Count == 0;

    /// <summary>
    /// The start-up probe of an <c>--in-memory</c> founding node that came back empty, as ClusterNode does it: one request
    /// to each founding peer when it starts; a peer that got it answers with its log's last index (a probing peer: 0).
    /// The first answer showing data starts the node recovering (<c>BeginRecovery</c>); every peer answering empty starts
    /// it fresh (a new cluster); no conclusive answer within three election timeouts also starts it fresh.
    /// </summary>
    private void AdvanceProbes()
    {
        foreach (var node in _nodes)
        {
            if (node.Life != NodeLife.Probing) continue;
            if (Now == node.ProbeStartedAt + ProbeRoundTripTicks) CollectProbeAnswers(node);
            if (Now < node.ProbeStartedAt + ProbeRoundTripTicks) continue;
            var peers = _nodes.Count(p => IsProbePeer(node, p));
            var timedOut = Now >= node.ProbeStartedAt + (3L * Options.ElectionTicks);
            if (node.ProbeFoundData)
            {
                Log($"{node.Id}'s probe found a founding peer holding data: it starts recovering");
                StartRestarted(node, recovering: true);
            }
            else if (timedOut && Options.RecoveryPath == RecoveryPath.Patient)
            {
                Log($"{node.Id}'s probe: {node.ProbeAnswers} of {peers} founding peers answered, none holds data: it probes again");
                node.BeginProbe(Now);
                node.ProbeRecipients = ProbeRecipients(node);
            }
            else if (node.ProbeAnswers == peers || timedOut)
            {
                Log($"{node.Id}'s probe: {node.ProbeAnswers} of {peers} founding peers answered, none holds data{(timedOut ? " (timed out)" : "")}: it starts fresh");
                Stats.ProbesStartedFresh++;
                StartRestarted(node, recovering: false);
            }
        }
    }

    /// <summary>Each peer the request reached answers if it is still there and its link back is not cut (else the answer is lost).</summary>
    private void CollectProbeAnswers(SimNode node)
    {
        foreach (var peer in _nodes)
        {
            if ((node.ProbeRecipients & (1UL << (int)peer.Id.Value)) == 0) continue;
            if (peer.Life is not (NodeLife.Up or NodeLife.Probing) || Network.IsCut(peer.Id, node.Id)) continue;
            node.ProbeAnswers++;
            if (peer.IsUp && peer.UpRaft.Status.LastIndex.Value > 0) node.ProbeFoundData = true;
        }
    }

    /// <summary>
    /// Whom a probe asks: the founding peers (the <c>--peers</c> list, as the product does); on the patient path every other
    /// node that exists (a joined node knows the members from its seed), so a cluster whose founders were removed answers too.
    /// </summary>
    private bool IsProbePeer(SimNode node, SimNode peer) =>
        peer != node && (Options.RecoveryPath == RecoveryPath.Impatient
            ? IsFoundingNode(peer.Id)
            : peer.Life is NodeLife.Up or NodeLife.Probing or NodeLife.Crashed);

    /// <summary>Peers the probe request reaches (up or probing, link not cut), one bit per node id.</summary>
    public ulong ProbeRecipients(SimNode node)
    {
        ulong bits = 0;
        foreach (var peer in _nodes)
        {
            if (!IsProbePeer(node, peer)) continue;
            if (peer.Life is NodeLife.Up or NodeLife.Probing && !Network.IsCut(node.Id, peer.Id)) bits |= 1UL << (int)peer.Id.Value;
        }
        return bits;
    }
}

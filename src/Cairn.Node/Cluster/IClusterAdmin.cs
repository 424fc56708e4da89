namespace Cairn.Node.Cluster;

/// <summary>
/// What the <c>_cluster</c> routes need from a clustered node. Admin operations run on the leader: on any other
/// node <see cref="IsLeader"/> is false and the API forwards the HTTP request to <see cref="LeaderHttpAddress"/>.
/// </summary>
/// <remarks>
/// Errors: <see cref="ArgumentException"/> for a request that does not fit the membership (unknown node, invalid
/// name, removing the last voter); <see cref="ServiceUnavailableException"/> when the cluster cannot do it now.
/// </remarks>
public interface IClusterAdmin
{
    ClusterView GetView();

    /// <summary>This node's recent state hashes at checkpoint indexes (the leader compares them across replicas).</summary>
    IReadOnlyList<CheckpointHash> Checkpoints { get; }

    bool IsLeader { get; }

    /// <summary>The leader's advertised HTTP URL, or null when there is no leader or it has not registered one.</summary>
    string? LeaderHttpAddress { get; }

    /// <summary>Records where the node lives, then adds it as a learner (promoted to voter once caught up). Idempotent.</summary>
    Task<MemberView> AddMemberAsync(MemberInfo member, CancellationToken cancellationToken);

    /// <summary>Removes a node from the membership and the address book. The leader hands leadership away first if it is the target.</summary>
    Task RemoveMemberAsync(string name, CancellationToken cancellationToken);

    /// <summary>Hands leadership to <paramref name="to"/> (or to the most caught-up voter) and returns the new leader's name.</summary>
    Task<string> TransferLeadershipAsync(string? to, CancellationToken cancellationToken);

    /// <summary>
    /// Runs on the node it was sent to (never relayed: there is no leader): the cluster continues from this node's state
    /// after a majority of voters lost theirs. <see cref="InvalidOperationException"/> when there is nothing to accept here.
    /// </summary>
    Task<DataLossAccepted> AcceptDataLossAsync(CancellationToken cancellationToken);
}

/// <param name="Ready">The node is a member, knows a leader and has applied everything it knows is committed.</param>
/// <param name="DataLost">A majority of the voters lost their state (details in <paramref name="DataLoss"/>); nothing is served.</param>
/// <param name="AdminRoutes">Whether the answering node accepts the admin routes (an API setting; null where the API did not say).</param>
public sealed record ClusterView(
    string ClusterId,
    string Node,
    string Role,
    string? Leader,
    ulong Term,
    long CommitIndex,
    long AppliedIndex,
    long LastIndex,
    bool Ready,
    IReadOnlyList<MemberView> Members,
    IReadOnlyList<Divergence>? Divergences = null,
    bool DataLost = false,
    DataLossReport? DataLoss = null,
    bool? AdminRoutes = null);

/// <param name="MatchIndex">The leader's view of how far the member's log matches (null when this node is not the leader).</param>
/// <param name="Lag">Entries the member is behind the leader's last index (leader's view).</param>
/// <param name="LastContactMs">Time since the leader last heard from the member (leader's view).</param>
public sealed record MemberView(
    string Name,
    string Id,
    string Role,
    string? PeerAddress,
    string? HttpAddress,
    long? MatchIndex,
    long? Lag,
    long? LastContactMs,
    string? Replication);

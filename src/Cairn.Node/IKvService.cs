using Cairn.Store;

namespace Cairn.Node;

/// <summary>How fresh a read must be (DESIGN §4).</summary>
public enum ReadConsistency
{
    /// <summary>Sees every write acknowledged before the read started (ReadIndex).</summary>
    Linearizable = 0,
    /// <summary>Leader serves from its lease without a round trip (opt-in by server configuration).</summary>
    Lease = 1,
    /// <summary>Waits until the local applied revision is at least the given minimum (read-your-writes).</summary>
    Session = 2,
    /// <summary>Local state, immediately.</summary>
    Stale = 3,
}

/// <summary>
/// The only thing the HTTP API knows about replication. On one node it is served by
/// <see cref="SingleNodeKvService"/>; on a cluster by the Raft node driver. The contract is the same.
/// </summary>
/// <remarks>
/// Threading: every member is safe to call concurrently from any number of request threads.
/// Failures that are not the command's own outcome (no leader, overload, shutting down, timeout)
/// surface as <see cref="ServiceUnavailableException"/>; a command's own outcome (conflict, not found)
/// is a <see cref="CommandResult"/>, never an exception.
/// </remarks>
public interface IKvService
{
    /// <summary>Replicates and applies a command; completes once it is applied, with its result.</summary>
    ValueTask<CommandResult> ProposeAsync(CommandEnvelope command, CancellationToken cancellationToken);

    /// <summary>
    /// Returns an immutable view of the store that satisfies <paramref name="consistency"/>
    /// (and, for <see cref="ReadConsistency.Session"/>, has applied at least <paramref name="minRevision"/>).
    /// </summary>
    ValueTask<ReadResult> ReadAsync(ReadConsistency consistency, long minRevision, CancellationToken cancellationToken);

    /// <summary>What this node knows about itself and the cluster, for /readyz, _cluster and the UI.</summary>
    NodeStatus Status { get; }
}

/// <param name="View">The state to read from; its revision is the node's applied revision when taken.</param>
/// <param name="IsStale">True when the view may miss acknowledged writes (stale level on a non-leader, or a node cut off).</param>
public readonly record struct ReadResult(StoreView View, bool IsStale);

/// <summary>A snapshot of the node's role as seen by itself.</summary>
/// <param name="NotReadyReason">Why <paramref name="Ready"/> is false, as a sentence (null when ready).</param>
/// <param name="DataLost">A majority of the voters lost their state (see Cluster.DataLossReport).</param>
public sealed record NodeStatus(
    string NodeId,
    string Role,
    ulong Term,
    string? LeaderId,
    long CommitIndex,
    long AppliedIndex,
    bool Ready,
    long LeaderChanges = 0,
    long Divergences = 0,
    string? NotReadyReason = null,
    bool DataLost = false);

public enum UnavailableReason
{
    NoLeader,
    NoQuorum,
    Overloaded,
    ShuttingDown,
    Timeout,
    NotReady,
    /// <summary>A majority of the voters lost their state; nothing is served until an operator accepts the loss.</summary>
    DataLost,
    /// <summary>This node restarted without its state and has not caught up: it serves no read that could show the empty store.</summary>
    Recovering,
}

/// <summary>
/// The request could not be served at this moment. <see cref="MayHaveApplied"/> tells the client
/// whether a write might still take effect (so a blind retry could apply twice without a request id).
/// </summary>
public sealed class ServiceUnavailableException(UnavailableReason reason, bool mayHaveApplied, string message, TimeSpan? retryAfter = null)
    : Exception(message)
{
    public UnavailableReason Reason { get; } = reason;
    public bool MayHaveApplied { get; } = mayHaveApplied;
    public TimeSpan RetryAfter { get; } = retryAfter ?? TimeSpan.FromSeconds(1);
}

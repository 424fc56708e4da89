using Cairn.Consensus;
using Cairn.Store;

namespace Cairn.Node.Raft;

/// <summary>
/// <see cref="IKvService"/> over a <see cref="RaftDriver"/>: writes are replicated through Raft and
/// answered after apply; linearizable reads wait for a quorum-confirmed read index to be applied
/// locally (on the leader or on a follower); session reads wait for their revision; stale reads
/// answer from local state at once.
/// </summary>
/// <remarks>
/// Writes on a node that is not the leader are refused (503, retryable): <see cref="Cluster.ClusterNode"/>
/// forwards them. The lease level is answered from the leader's lease when the server enabled lease reads
/// (RaftConfig.ReadMode = LeaseBased), and as linearizable otherwise and on followers.
/// </remarks>
/// <param name="testingLocalReads">TEST ONLY (breaks linearizability): answer every read level from local state at once.</param>
public sealed class RaftKvService(RaftDriver driver, string nodeName, TimeSpan readTimeout, TimeProvider time, bool testingLocalReads = false) : IKvService
{
    public NodeStatus Status
    {
        get
        {
            var s = driver.Status;
            return new NodeStatus(nodeName, s.Role.ToString().ToLowerInvariant(), s.Term.Value,
                s.Leader.IsNone ? null : s.Leader.ToString(), (long)s.Commit.Value, s.Applied, Ready: !s.Leader.IsNone);
        }
    }

    public async ValueTask<CommandResult> ProposeAsync(CommandEnvelope command, CancellationToken cancellationToken) =>
        await driver.ProposeAsync(command).WaitAsync(cancellationToken);

    public async ValueTask<ReadResult> ReadAsync(ReadConsistency consistency, long minRevision, CancellationToken cancellationToken)
    {
        switch (consistency)
        {
            case not ReadConsistency.Session when testingLocalReads:
                return new ReadResult(driver.Store.Current, IsStale: false);
            case ReadConsistency.Stale:
                return new ReadResult(driver.Store.Current, IsStale: driver.Status.Role != RaftRole.Leader);
            case ReadConsistency.Session:
                await WaitAppliedAsync(minRevision, cancellationToken);
                return new ReadResult(driver.Store.Current, IsStale: false);
            default:
                var index = await WithTimeout(driver.ReadIndexAsync(lease: consistency == ReadConsistency.Lease), "confirming leadership for the read", cancellationToken);
                await WaitAppliedAsync((long)index.Value, cancellationToken);
                return new ReadResult(driver.Store.Current, IsStale: false);
        }
    }

    private async Task WaitAppliedAsync(long revision, CancellationToken cancellationToken)
    {
        var wait = driver.Waiters.TryWaitAsync(revision)
            ?? throw new ServiceUnavailableException(UnavailableReason.Overloaded, false, "too many reads are waiting; retry later");
        await WithTimeout(wait, $"waiting for revision {revision} to be applied", cancellationToken);
    }

    private async Task<T> WithTimeout<T>(Task<T> task, string what, CancellationToken cancellationToken)
    {
        await WithTimeout((Task)task, what, cancellationToken);
        return await task;
    }

    private async Task WithTimeout(Task task, string what, CancellationToken cancellationToken)
    {
        try
        {
            await task.WaitAsync(readTimeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new ServiceUnavailableException(UnavailableReason.Timeout, false, $"timed out after {readTimeout.TotalMilliseconds} ms {what}");
        }
    }
}

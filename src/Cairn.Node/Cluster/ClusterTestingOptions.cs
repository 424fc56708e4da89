namespace Cairn.Node.Cluster;

/// <summary>
/// TEST ONLY switches (section "Cairn:Cluster:Testing"). Each one BREAKS a guarantee on purpose so the fault-injection
/// suite (tests/Cairn.FaultTests) can prove its checkers catch the anomaly it causes. All are off by default and
/// nothing in the product turns them on; never set them on a node that holds data you care about.
/// </summary>
public sealed class ClusterTestingOptions
{
    /// <summary>
    /// The leader answers a write as soon as the entry is in its own log, with the result the command would have on
    /// the state applied so far, instead of after the entry is committed and applied. A deposed leader's acknowledged
    /// writes are then lost.
    /// </summary>
    public bool AckBeforeCommit { get; set; }

    /// <summary>
    /// Linearizable (and lease) reads are answered from this node's applied state at once, without confirming
    /// leadership through ReadIndex: a follower or a deposed leader serves stale values.
    /// </summary>
    public bool LocalLinearizableReads { get; set; }

    /// <summary>
    /// The dedup window remembers no request id (its size is 0), so a retried write with the same
    /// <c>X-Cairn-Request-Id</c> applies again: a write whose first attempt applied is applied twice.
    /// </summary>
    public bool SkipDedup { get; set; }
}

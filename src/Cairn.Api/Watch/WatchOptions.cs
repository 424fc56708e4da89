using System.ComponentModel.DataAnnotations;

namespace Cairn.Api.Watch;

/// <summary>Limits of the change feed on one node (section "Cairn:Watch"). Each is enforced per node, not per cluster.</summary>
public sealed class WatchOptions
{
    public const string Section = "Cairn:Watch";

    /// <summary>Open watch connections on this node; one more is refused with 503 (reason overloaded, retryable elsewhere).</summary>
    [Range(1, 1_000_000)]
    public int WatchersMax { get; set; } = 10_000;

    /// <summary>
    /// Change events waiting for one watcher. A watcher that falls further behind is told (an <c>overflow</c> message), its
    /// queue is dropped and it resynchronizes from the history or a snapshot; the apply thread never waits for it.
    /// </summary>
    [Range(1, 1_000_000)]
    public int QueueEventsMax { get; set; } = 4096;

    /// <summary>How often every watcher receives a <c>progress</c> message carrying the node's revision.</summary>
    [Range(10, 3_600_000)]
    public int ProgressIntervalMs { get; set; } = 5_000;

    /// <summary>
    /// Longest time one write to a watcher's connection may take before the connection is dropped (a client that stopped
    /// reading keeps neither its slot nor its buffers). Checked at each progress tick, so the effective bound is this plus
    /// up to one <see cref="ProgressIntervalMs"/>.
    /// </summary>
    [Range(100, 3_600_000)]
    public int SendTimeoutMs { get; set; } = 30_000;

    /// <summary>Change events the store keeps for resuming watchers (the oldest whole revisions go first).</summary>
    [Range(1, 100_000_000)]
    public int HistoryEventsMax { get; set; } = 100_000;

    /// <summary>Bytes the history may hold (values, keys and a fixed overhead per event).</summary>
    [Range(typeof(long), "1024", "68719476736")]
    public long HistoryBytesMax { get; set; } = 64L * 1024 * 1024;
}

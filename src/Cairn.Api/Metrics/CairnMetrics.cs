using System.Diagnostics.Metrics;
using Cairn.Node;
using Cairn.Storage.Log;
using Cairn.Transport;

namespace Cairn.Api.Metrics;

/// <summary>
/// The instruments of one node (meter <c>Cairn</c>): Raft position as gauges read at scrape time, proposals and
/// reads as counters and latency histograms, HTTP requests by route and status, peer traffic from the transport.
/// </summary>
public sealed class CairnMetrics : IDisposable
{
    public const string MeterName = "Cairn";

    private readonly Meter _meter = new(MeterName);

    /// <summary>This node's meter (one per node, so several nodes in one process keep their figures apart).</summary>
    public Meter Meter => _meter;

    /// <param name="wal">The write-ahead log's counters, or null when the node keeps its log in memory.</param>
    public CairnMetrics(Func<NodeStatus> status, ITransport? transport, Func<LogStats?>? wal = null)
    {
        _meter.CreateObservableGauge("cairn_raft_term", () => (long)status().Term, description: "Current Raft term");
        _meter.CreateObservableGauge("cairn_raft_commit_index", () => status().CommitIndex, description: "Highest log index known committed");
        _meter.CreateObservableGauge("cairn_raft_applied_index", () => status().AppliedIndex, description: "Highest log index applied to the store");
        _meter.CreateObservableGauge("cairn_raft_is_leader", () => status().Role == "leader" ? 1 : 0, description: "1 on the leader");
        _meter.CreateObservableGauge("cairn_ready", () => status().Ready ? 1 : 0, description: "1 when /readyz answers ready");
        _meter.CreateObservableGauge("cairn_data_lost", () => status().DataLost ? 1 : 0,
            description: "1 while a majority of the voters lost their state (nothing is served until an operator accepts the loss)");
        _meter.CreateObservableCounter("cairn_raft_leader_changes_total", () => status().LeaderChanges, description: "Leader changes seen by this node");
        _meter.CreateObservableCounter("cairn_replica_divergences_total", () => status().Divergences,
            description: "Replicas found with a state hash different from the leader's at the same index (leader only)");
        Proposals = _meter.CreateCounter<long>("cairn_proposals_total", description: "Writes proposed through this node, by outcome");
        ProposalSeconds = _meter.CreateHistogram<double>("cairn_proposal_duration_seconds", description: "Time from proposal to applied result");
        Reads = _meter.CreateCounter<long>("cairn_reads_total", description: "Reads by consistency level and outcome");
        ReadSeconds = _meter.CreateHistogram<double>("cairn_read_wait_seconds",
            description: "Time a read waited for its consistency level (read index round for linearizable)");
        HttpRequests = _meter.CreateCounter<long>("cairn_http_requests_total", description: "HTTP requests by route, method and status");
        HttpSeconds = _meter.CreateHistogram<double>("cairn_http_request_duration_seconds", description: "HTTP request duration by route");
        if (wal is not null) AddWal(wal);
        if (transport is null) return;
        _meter.CreateObservableCounter("cairn_peer_bytes_sent_total",
            () => transport.GetPeerStats().Select(p => new Measurement<long>(p.BytesSent, new KeyValuePair<string, object?>("peer", p.Peer.ToString()))),
            description: "Bytes sent to each peer");
        _meter.CreateObservableCounter("cairn_peer_reconnects_total",
            () => transport.GetPeerStats().Select(p => new Measurement<long>(p.Reconnects, new KeyValuePair<string, object?>("peer", p.Peer.ToString()))),
            description: "Reconnections to each peer");
        _meter.CreateObservableCounter("cairn_peer_frames_dropped_total",
            () => transport.GetPeerStats().Select(p => new Measurement<long>(p.FramesDropped, new KeyValuePair<string, object?>("peer", p.Peer.ToString()))),
            description: "Frames to each peer refused or lost (full queue, broken link)");
        _meter.CreateObservableCounter("cairn_peer_frames_received_total", () => transport.GetStats().FramesReceived, description: "Frames received from peers");
        _meter.CreateObservableCounter("cairn_peer_malformed_frames_total", () => transport.GetStats().MalformedFrames,
            description: "Inbound peer connections closed for a malformed frame");
    }

    public Counter<long> Proposals { get; }
    public Histogram<double> ProposalSeconds { get; }
    public Counter<long> Reads { get; }
    public Histogram<double> ReadSeconds { get; }
    public Counter<long> HttpRequests { get; }
    public Histogram<double> HttpSeconds { get; }

    public void Dispose() => _meter.Dispose();

    private void AddWal(Func<LogStats?> wal)
    {
        IEnumerable<Measurement<T>> Read<T>(Func<LogStats, T> pick) where T : struct =>
            wal() is { } stats ? [new Measurement<T>(pick(stats))] : [];
        _meter.CreateObservableCounter("cairn_wal_append_batches_total", () => Read(s => s.AppendBatches),
            description: "Write-ahead log appends (one per Raft batch with entries)");
        _meter.CreateObservableCounter("cairn_wal_entries_appended_total", () => Read(s => s.EntriesAppended), description: "Entries written to the write-ahead log");
        _meter.CreateObservableCounter("cairn_wal_bytes_appended_total", () => Read(s => s.BytesAppended), description: "Bytes written to the write-ahead log");
        _meter.CreateObservableCounter("cairn_wal_fsyncs_total", () => Read(s => s.Fsyncs), description: "fsync calls on write-ahead log segments");
        _meter.CreateObservableCounter("cairn_wal_fsync_seconds_total", () => Read(s => s.FsyncSeconds), description: "Time spent in write-ahead log fsync calls");
    }
}

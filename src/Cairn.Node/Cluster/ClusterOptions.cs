using System.ComponentModel.DataAnnotations;

namespace Cairn.Node.Cluster;

/// <summary>
/// How a node finds and joins its cluster (section "Cairn:Cluster"). A node runs as a cluster member when
/// <see cref="PeerAddress"/> is set: with <see cref="Peers"/> it bootstraps the listed voters (every founding node is
/// started with the same list); with <see cref="Join"/> it starts empty and asks a running node to add it as a
/// learner; with neither it founds a one-voter cluster that others can join.
/// </summary>
public sealed class ClusterOptions
{
    public const string Section = "Cairn:Cluster";

    /// <summary>Carried in every peer handshake: nodes of different clusters refuse each other.</summary>
    [Required, RegularExpression("^[A-Za-z0-9._-]{1,64}$")]
    public string ClusterId { get; set; } = "cairn";

    /// <summary>host:port this node listens on for peers (and that others use to reach it). Null: single node, no Raft.</summary>
    public string? PeerAddress { get; set; }

    /// <summary>The founding voters, as <c>name=host:port,name=host:port,…</c> (this node among them).</summary>
    public string? Peers { get; set; }

    /// <summary>The HTTP URL of any running member; this node asks it to be added (learner, then voter).</summary>
    public string? Join { get; set; }

    /// <summary>The HTTP URL other nodes and clients use to reach this node (default: the first URL it listens on).</summary>
    public string? AdvertiseHttp { get; set; }

    /// <summary>
    /// The HTTP URLs to listen on, ';'-separated (cairn serve --http sets it). Unset: the host's "urls" setting.
    /// A cluster member configures every listener in code, so "urls" would only earn Kestrel's override warning.
    /// </summary>
    public string? HttpUrls { get; set; }

    /// <summary>An extra HTTP host:port bound with SO_REUSEPORT, shared by several nodes on one machine (the kernel spreads connections).</summary>
    public string? SharedHttp { get; set; }

    /// <summary>
    /// Nothing on disk: a restarted node comes back empty, finds out from its peers whether the cluster holds data,
    /// and if so abstains from elections until it has caught up. Off by default: the node keeps a write-ahead log,
    /// its term and vote, and snapshots in <see cref="DataDirectory"/>.
    /// </summary>
    public bool InMemory { get; set; }

    /// <summary>Where a durable node keeps its log, stable state and snapshots (default: cairn-data/&lt;node name&gt;).</summary>
    public string? DataDirectory { get; set; }

    /// <summary>When appended entries reach the disk: PerBatch (fsync before acknowledging; default), IntervalMs, Never.</summary>
    public Cairn.Storage.FsyncPolicy FsyncPolicy { get; set; } = Cairn.Storage.FsyncPolicy.PerBatch;

    /// <summary>With FsyncPolicy IntervalMs: the longest an appended entry waits for its fsync.</summary>
    [Range(1, 60_000)]
    public int FsyncIntervalMs { get; set; } = 10;

    /// <summary>With FsyncPolicy PerBatch or Never: how often a commit-index-only change reaches the stable file (see StorageOptions).</summary>
    [Range(1, 60_000)]
    public int CommitSaveIntervalMs { get; set; } = 1000;

    /// <summary>Operator override: at start-up, cut the log at a corrupt record instead of refusing to start.</summary>
    public bool TruncateCorruptTail { get; set; }

    /// <summary>The Raft clock period. Election timeout = TickMs × ElectionTicks … 2× that (randomized).</summary>
    [Range(1, 10_000)]
    public int TickMs { get; set; } = 50;

    [Range(2, 1_000)]
    public int ElectionTicks { get; set; } = 10;

    [Range(1, 100)]
    public int HeartbeatTicks { get; set; } = 1;

    /// <summary>
    /// Allow <c>consistency=lease</c> reads to be answered by the leader from its lease, without a heartbeat round. Safe
    /// only while clocks tick at similar rates (the lease is half an election timeout); off by default, and then
    /// lease reads are linearizable reads.
    /// </summary>
    public bool LeaseReads { get; set; }

    /// <summary>How long a write forwarded to the leader may take before the caller is told its outcome is unknown.</summary>
    [Range(1, 600_000)]
    public int ForwardTimeoutMs { get; set; } = 5_000;

    /// <summary>Forwarded writes in flight from this node at once; beyond this the node answers 503 Overloaded.</summary>
    [Range(1, 1_000_000)]
    public int ForwardsInFlightMax { get; set; } = 16_384;

    /// <summary>A learner is promoted to voter once its log is within this many entries of the leader's.</summary>
    [Range(0, 10_000_000)]
    public int PromoteLagEntriesMax { get; set; } = 64;

    /// <summary>How often the node refreshes its peer list, registers itself, promotes learners and expires keys.</summary>
    [Range(10, 60_000)]
    public int MaintenanceIntervalMs { get; set; } = 200;

    /// <summary>
    /// While a node knows no leader it asks every voter this often whether it restarted without its state; a majority
    /// that did means the data is lost (reported until an operator accepts it). Answers older than 3 intervals are ignored.
    /// </summary>
    [Range(10, 600_000)]
    public int RecoveryProbeIntervalMs { get; set; } = 1_000;

    /// <summary>Committed entries between two snapshots of the store (log compaction).</summary>
    [Range(1, long.MaxValue)]
    public long SnapshotEntries { get; set; } = 50_000;

    /// <summary>Applied entry bytes between two snapshots, whatever their count (a few large writes compact too).</summary>
    [Range(1, long.MaxValue)]
    public long SnapshotBytes { get; set; } = 64L << 20;

    /// <summary>Log entries kept below a snapshot's index when the log is compacted, so a slightly lagging follower catches up from the log instead of a snapshot.</summary>
    [Range(0, long.MaxValue)]
    public long SnapshotLogTailEntries { get; set; } = 1024;

    /// <summary>Size at which the write-ahead log starts a new segment file (segments a snapshot covers are deleted whole).</summary>
    [Range(Cairn.Storage.StorageOptions.SegmentBytesMin, Cairn.Storage.StorageOptions.SegmentBytesMax)]
    public long WalSegmentBytes { get; set; } = 64L << 20;

    /// <summary>Every node hashes its whole state at each multiple of this log index (replica cross-check); 0 disables.</summary>
    [Range(0, long.MaxValue)]
    public long CheckpointEveryEntries { get; set; } = 10_000;

    /// <summary>How often the leader compares its checkpoint hashes with every member's.</summary>
    [Range(100, 3_600_000)]
    public int CrossCheckIntervalMs { get; set; } = 5_000;

    /// <summary>TEST ONLY switches that break safety on purpose (see <see cref="ClusterTestingOptions"/>); all off by default.</summary>
    public ClusterTestingOptions Testing { get; set; } = new();

    /// <summary>TEST ONLY: this node reports wrong checkpoint hashes, so tests can prove divergence detection works.</summary>
    public bool TestingSkewCheckpoints { get; set; }

    /// <summary>True when this node takes part in a Raft cluster (a peer address is configured).</summary>
    public bool IsClustered => !string.IsNullOrWhiteSpace(PeerAddress);

    /// <summary>Parses <see cref="Peers"/>; throws <see cref="FormatException"/> naming the bad entry.</summary>
    public IReadOnlyList<(string Name, string Address)> ParsePeers()
    {
        if (string.IsNullOrWhiteSpace(Peers)) return [];
        var result = new List<(string, string)>();
        foreach (var part in Peers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == part.Length - 1) throw new FormatException($"--peers entry '{part}' is not name=host:port");
            var name = part[..eq];
            var address = part[(eq + 1)..];
            if (!NodeNames.IsValid(name)) throw new FormatException($"--peers entry '{part}': '{name}' is not a valid node name");
            if (!Transport.PeerAddress.TryParse(address, out _)) throw new FormatException($"--peers entry '{part}': '{address}' is not host:port");
            if (result.Exists(p => p.Item1 == name)) throw new FormatException($"--peers names '{name}' twice");
            result.Add((name, address));
        }
        return result;
    }
}

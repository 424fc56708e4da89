using Cairn.Consensus;

namespace Cairn.Simulation;

/// <summary>How the nodes of a run keep their state.</summary>
/// <summary>Variants of the in-memory runs outside the tiers (CAIRN_SIM_MODE, comma-separated, for replays).</summary>
[Flags]
internal enum SimMode
{
    Default = 0,

    /// <summary>Every run in memory; once, a majority of the voters, but not every node holding the data, lose their state at the same tick.</summary>
    AmnesicMajority = 1,

    /// <summary>Empty nodes decide to recover as ClusterNode did before 2026-12-03 (<see cref="RecoveryPath.Impatient"/>).</summary>
    ImpatientRecovery = 2,

    /// <summary>Lifts the tiers' rule that no membership change is in flight while a voter is amnesic.</summary>
    AmnesiaDuringMembershipChange = 4,

    /// <summary>Every run in memory; once, every node of the cluster loses its state at the same tick.</summary>
    AmnesicAll = 8,
}

/// <summary>How an <c>--in-memory</c> node that restarted empty finds out whether the cluster holds data.</summary>
internal enum RecoveryPath
{
    /// <summary>
    /// What ClusterNode did before 2026-12-03, kept to show the checks catch it (<c>KnownNodeGaps</c> is gone; see
    /// TeethTests): founding nodes probe once and start fresh (voters that vote at once) when no answer shows data
    /// within three election timeouts; nodes that joined (<c>--join</c>) never probe.
    /// </summary>
    Impatient,

    /// <summary>
    /// What ClusterNode does: every empty node probes (the product recovers a joined one without asking, which is
    /// stricter) and keeps probing until a peer shows data (then it recovers) or every founding peer answered empty
    /// (a new cluster): it never starts fresh on a timeout.
    /// </summary>
    Patient,
}

internal enum StorageMode
{
    /// <summary>On disk (<c>cairn serve --data-dir</c>, FsyncPolicy.PerBatch): crashes are process crashes or power losses.</summary>
    Durable,

    /// <summary><c>cairn serve --in-memory</c>: every crash loses everything; the node restarts empty and recovers.</summary>
    InMemory,
}

/// <summary>
/// Everything one simulated run is made of, derived from its seed alone (so the seed is the whole replay recipe).
/// Rates are probabilities per message or per tick; durations are in ticks.
/// </summary>
internal sealed record SimOptions
{
    public required int Seed { get; init; }

    /// <summary>Voters the cluster is bootstrapped with (3 or 5).</summary>
    public required int InitialVoters { get; init; }

    /// <summary>Fresh node ids the nemesis may add as learners (ids are never reused: an empty node must not vote again).</summary>
    public required int SpareNodes { get; init; }

    public required int Clients { get; init; }

    /// <summary>Keys the clients share: few, so that operations on one key overlap often.</summary>
    public required int Keys { get; init; }

    /// <summary>Length of the phase with faults; the liveness phase follows.</summary>
    public required int SafetyTicks { get; init; }

    /// <summary>Bound on the liveness phase: a leader, a fresh write applied everywhere and equal state hashes within it.</summary>
    public int LivenessTicksMax { get; init; } = 1_500;

    public required int ElectionTicks { get; init; }
    public required int HeartbeatTicks { get; init; }
    public required bool PreVote { get; init; }
    public required bool CheckQuorum { get; init; }
    public required ReadMode ReadMode { get; init; }
    public required int EntriesPerMessageMax { get; init; }
    public required int InflightMessagesMax { get; init; }
    public required int SnapshotChunkBytesMax { get; init; }
    public required long SnapshotLogTailEntries { get; init; }

    /// <summary>A node snapshots its state machine once it applied this many entries past its latest snapshot.</summary>
    public required int SnapshotEveryEntries { get; init; }

    // Network in calm weather.
    public required int DelayMinTicks { get; init; }
    public required int DelayMaxTicks { get; init; }
    public required double LossRate { get; init; }
    public required double DuplicateRate { get; init; }

    /// <summary>Slow-network bursts; off for lease-read runs, whose safety assumes delays well under an election timeout.</summary>
    public required bool SlowBursts { get; init; }

    /// <summary>Percentage of newly elected leaders the nemesis strikes a few ticks into their term.</summary>
    public required int LeaderStrikePercent { get; init; }

    /// <summary>Mean ticks between two nemesis actions.</summary>
    public required int NemesisIntervalTicks { get; init; }

    /// <summary>A client gives up on an operation after this many ticks (outcome Unknown).</summary>
    public required int ClientTimeoutTicks { get; init; }

    public required StorageMode Storage { get; init; }

    /// <summary>
    /// Durable runs: ticks an fsync takes. A node waits for it before it sends or applies anything of that Ready (0:
    /// instant; always 0 in memory). At most a sixth of an election timeout: Raft's timing assumes an fsync plus a
    /// round trip well under it (the real node: milliseconds against 500 ms), else elections churn without end.
    /// </summary>
    public required int FsyncTicks { get; init; }

    /// <summary>Durable runs: percentage of crashes that are power losses (unsynced writes lost) rather than process crashes.</summary>
    public required int PowerLossPercent { get; init; }

    /// <summary>The run's variant; <see cref="SimMode.Default"/> in the tiers.</summary>
    public SimMode Mode { get; init; }

    /// <summary>
    /// The nemesis wipes a majority of the voters at once (<see cref="AmnesicMajorityTests"/>). Off in the tiers, where at
    /// most a minority of the voters is amnesic (down, probing or not caught up) at any time.
    /// </summary>
    public bool AmnesicMajority => Mode.HasFlag(SimMode.AmnesicMajority) || Mode.HasFlag(SimMode.AmnesicAll);

    /// <summary>How an empty in-memory node decides to recover; see <see cref="Simulation.RecoveryPath"/>.</summary>
    public RecoveryPath RecoveryPath => Mode.HasFlag(SimMode.ImpatientRecovery) ? RecoveryPath.Impatient : RecoveryPath.Patient;

    /// <summary>Safety-breaking switches of the consensus core and the simulated driver (teeth tests only).</summary>
    public Teeth Teeth { get; init; }

    /// <summary>The core's switches (part of <see cref="Teeth"/>).</summary>
    public TestingFaults Faults => Teeth.Core;

    /// <summary>Derives a run from its seed. The same seed always gives the same options.</summary>
    public static SimOptions FromSeed(int seed, Teeth teeth = default, SimMode mode = SimMode.Default)
    {
        var rng = new Random(seed);
        var voters = rng.Next(2) == 0 ? 3 : 5;
        var election = rng.Next(8, 15);
        var lease = rng.Next(4) == 0;
        var storage = StorageMode.Durable; // drawn after the others, below
        return new SimOptions
        {
            Seed = seed,
            InitialVoters = voters,
            SpareNodes = 3,
            Clients = rng.Next(5, 9),
            Keys = rng.Next(2, 6),
            SafetyTicks = rng.Next(2_000, 3_000),
            ElectionTicks = election,
            HeartbeatTicks = rng.Next(1, 3),
            // Check-quorum is on for lease reads (required); otherwise both switches vary, as operators may set them.
            PreVote = rng.Next(5) != 0,
            CheckQuorum = lease || rng.Next(5) != 0,
            ReadMode = lease ? ReadMode.LeaseBased : ReadMode.Safe,
            // A third of the runs send one or two entries per append, so reconciling a log takes several round trips.
            EntriesPerMessageMax = rng.Next(3) == 0 ? rng.Next(1, 3) : rng.Next(2, 33),
            InflightMessagesMax = rng.Next(2, 17),
            SnapshotChunkBytesMax = rng.Next(128, 1_025),
            SnapshotLogTailEntries = rng.Next(0, 9),
            SnapshotEveryEntries = rng.Next(8, 41),
            DelayMinTicks = 1,
            // Lease reads assume a message delay well under half an election timeout.
            DelayMaxTicks = lease ? Math.Min(3, election / 4) : rng.Next(2, 5),
            LossRate = rng.Next(4) * 0.01,
            DuplicateRate = rng.Next(3) * 0.01,
            SlowBursts = !lease,
            NemesisIntervalTicks = rng.Next(20, 50),
            LeaderStrikePercent = rng.Next(20, 70),
            ClientTimeoutTicks = rng.Next(4, 9) * election,
            // Drawn last, so the options above stay what they were before storage modes existed.
            Storage = storage = DrawStorage(teeth, mode, rng),
            FsyncTicks = FsyncTicksFor(teeth, storage, election, rng.Next(4) == 0 ? 0 : rng.Next(1, 4)),
            PowerLossPercent = teeth.Driver.HasFlag(DriverFaults.AckBeforeSync) ? 80 : rng.Next(30, 71),
            Mode = mode,
            Teeth = teeth,
        };
    }

    private static StorageMode DrawStorage(Teeth teeth, SimMode mode, Random rng) =>
        teeth.Driver.HasFlag(DriverFaults.RecoveringNodeVotes) || mode != SimMode.Default ? StorageMode.InMemory
        : teeth.Driver.HasFlag(DriverFaults.AckBeforeSync) ? StorageMode.Durable
        : rng.Next(10) < 3 ? StorageMode.InMemory : StorageMode.Durable;

    /// <summary>The fsync latency from its draw: none in memory, at most a sixth of an election timeout (the flusher's period for AckBeforeSync).</summary>
    private static int FsyncTicksFor(Teeth teeth, StorageMode storage, int electionTicks, int drawn) =>
        teeth.Driver.HasFlag(DriverFaults.AckBeforeSync) ? Math.Max(1, drawn)
        : storage == StorageMode.InMemory ? 0
        : Math.Min(drawn, Math.Max(1, electionTicks / 6));

    public override string ToString() =>
        $"voters={InitialVoters} clients={Clients} keys={Keys} safetyTicks={SafetyTicks} election={ElectionTicks} heartbeat={HeartbeatTicks} " +
        $"preVote={PreVote} checkQuorum={CheckQuorum} read={ReadMode} delay=[{DelayMinTicks},{DelayMaxTicks}] loss={LossRate:F2} dup={DuplicateRate:F2} " +
        $"snapshotEvery={SnapshotEveryEntries} tail={SnapshotLogTailEntries} chunk={SnapshotChunkBytesMax} entriesPerMsg={EntriesPerMessageMax} " +
        $"inflight={InflightMessagesMax} strike={LeaderStrikePercent}% storage={Storage}" +
        (Storage == StorageMode.Durable ? $" fsync={FsyncTicks} powerLoss={PowerLossPercent}%" : $" recovery={RecoveryPath} mode={Mode}") +
        $" teeth={Teeth}";
}

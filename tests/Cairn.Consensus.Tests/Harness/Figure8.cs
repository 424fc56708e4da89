using Cairn.Consensus;

namespace Cairn.Consensus.Tests.Harness;

/// <summary>
/// Raft's Figure 8, scripted on five nodes. S1 (term 1) replicates "a" at index 2 to S2 only and crashes; S5 wins
/// term 2 and appends its no-op at index 2 without replicating it, then crashes; S1 wins term 3 and spreads "a" to
/// S3 and S4 (a majority) while its own term-3 no-op is held back; S1 crashes; S5, whose last term (2) is higher
/// than anyone's, wins again and overwrites index 2 everywhere. Committing "a" in term 3 by counting replicas
/// (the fault) makes S1 apply an entry that the cluster then loses.
/// </summary>
internal static class Figure8
{
    public static TestCluster Run(TestingFaults faults)
    {
        var cluster = TestCluster.Start(5, tweak: c => c with { PreVote = false, CheckQuorum = false, EntriesPerMessageMax = 1, Faults = faults });
        cluster.CaptureInvariantFailures = true;
        cluster.ElectLeader(1);

        cluster.Partition([1, 2], [3, 4, 5]);
        cluster.Propose(1, "a");
        cluster.Crash(1);

        // S5 wins term 2 with S3 and S4 but its entries never leave it.
        cluster.Heal();
        cluster.DropIf = m => m.From == new NodeId(5) && m is AppendEntries { Entries.Count: > 0 };
        cluster.ElectLeader(5);
        cluster.Crash(5);
        cluster.DropIf = null;

        // S1 wins term 3; entries of term 3 are held back so only "a" (term 1) spreads.
        cluster.Restart(1);
        cluster.Intercept = m => m is AppendEntries a && a.From == new NodeId(1)
            ? a with { Entries = a.Entries.Where(e => e.Term.Value < 3).ToArray() }
            : m;
        cluster.ElectLeader(1);
        cluster.Tick(3);
        cluster.Crash(1);
        cluster.Intercept = null;

        // S5 returns and wins: its index 2 (term 2) replaces "a".
        cluster.Restart(5);
        cluster.ElectLeader(5);
        cluster.Tick(3);
        return cluster;
    }
}

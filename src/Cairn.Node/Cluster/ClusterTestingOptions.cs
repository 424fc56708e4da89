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

    /// <summary>
    /// Failpoints, comma-separated, where the process kills itself (SIGKILL, like a power cut) with
    /// <see cref="CrashProbability"/> each time it passes: <c>append</c> (before a Ready's entries and term are
    /// persisted), <c>send</c> (persisted, messages not sent), <c>apply</c> (before committed entries are applied),
    /// <c>snapshot</c> (right after a snapshot was saved and the log compacted). Null: none.
    /// </summary>
    public string? CrashPoints { get; set; }

    /// <summary>Probability of crashing at each pass through a configured failpoint.</summary>
    [System.ComponentModel.DataAnnotations.Range(0.0, 1.0)]
    public double CrashProbability { get; set; } = 0.001;

    /// <summary>The failpoint names <see cref="CrashPoints"/> may list.</summary>
    public static IReadOnlyList<string> Failpoints { get; } = ["append", "send", "apply", "snapshot"];

    /// <summary>Parses <see cref="CrashPoints"/>; throws <see cref="FormatException"/> naming an unknown failpoint.</summary>
    public IReadOnlySet<string> ParseCrashPoints()
    {
        var names = (CrashPoints ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var n in names)
        {
            if (!Failpoints.Contains(n)) throw new FormatException($"Cairn:Cluster:Testing:CrashPoints: unknown failpoint '{n}' (known: {string.Join(", ", Failpoints)})");
        }
        return names.ToHashSet(StringComparer.Ordinal);
    }
}

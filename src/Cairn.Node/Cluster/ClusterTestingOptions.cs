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
    /// Failpoints, comma-separated, where the process kills itself (SIGKILL, like a power cut) each time it passes with
    /// the probability given after a colon (default <see cref="CrashProbability"/>), e.g. <c>append:0.001,snapshot:0.3</c>:
    /// <c>append</c> (before a Ready's entries and term are persisted), <c>send</c> (persisted, messages not sent),
    /// <c>apply</c> (before committed entries are applied), <c>snapshot</c> (right after a snapshot was saved and the
    /// log compacted). Null: none.
    /// </summary>
    public string? CrashPoints { get; set; }

    /// <summary>Probability of crashing at each pass through a configured failpoint that names none of its own.</summary>
    [System.ComponentModel.DataAnnotations.Range(0.0, 1.0)]
    public double CrashProbability { get; set; } = 0.001;

    /// <summary>The failpoint names <see cref="CrashPoints"/> may list.</summary>
    public static IReadOnlyList<string> Failpoints { get; } = ["append", "send", "apply", "snapshot"];

    /// <summary>Parses <see cref="CrashPoints"/> (name → probability); throws <see cref="FormatException"/> naming a bad entry.</summary>
    public IReadOnlyDictionary<string, double> ParseCrashPoints()
    {
        var points = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var entry in (CrashPoints ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            var name = colon < 0 ? entry : entry[..colon];
            var probability = CrashProbability;
            if (colon >= 0 && (!double.TryParse(entry[(colon + 1)..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out probability)
                || probability is < 0 or > 1))
                throw new FormatException($"Cairn:Cluster:Testing:CrashPoints: '{entry}' needs a probability between 0 and 1 after the colon");
            if (!Failpoints.Contains(name)) throw new FormatException($"Cairn:Cluster:Testing:CrashPoints: unknown failpoint '{name}' (known: {string.Join(", ", Failpoints)})");
            points[name] = probability;
        }
        return points;
    }
}

namespace Cairn.FaultTests.Run;

/// <summary>
/// Clock skew for a <c>cairn</c> process through libfaketime (LD_PRELOAD): <c>FAKETIME="+300s"</c> moves the
/// wall clock, <c>"+0 x2"</c> makes every clock of the process run twice as fast. Measured on this machine with .NET
/// 10 (docs in the project's DESIGN.md): offsets move <c>DateTime.UtcNow</c> only; a rate (<c>xN</c>) scales
/// <c>CLOCK_REALTIME</c> AND <c>CLOCK_MONOTONIC</c> (Stopwatch, Environment.TickCount64) and therefore every .NET timer
/// and <c>Task.Delay</c> (they are computed from the monotonic clock and waited through intercepted
/// pthread_cond_timedwait): a node at x2 ticks its Raft clock twice as fast in real time. Not skewed: the kernel's own
/// timers (TCP retransmission, keep-alive), other processes, and anything a process reads without libc.
/// </summary>
public static class ClockSkew
{
    private static readonly string[] Candidates =
    [
        "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/faketime/libfaketime.so.1",
        "/usr/local/lib/faketime/libfaketime.so.1",
    ];

    /// <summary>The libfaketime library, or null when it is not installed (<c>apt-get install -y faketime</c>).</summary>
    public static string? Library { get; } = Candidates.FirstOrDefault(File.Exists);

    public static bool Available => Library is not null;

    public const string MissingReason = "libfaketime is not installed (apt-get install -y faketime; ./test.sh installs it when it can)";

    /// <summary>The environment that runs a process under <paramref name="spec"/> (null: none, and no libfaketime).</summary>
    public static IReadOnlyDictionary<string, string?> Environment(string? spec) => spec is null || Library is null
        ? new Dictionary<string, string?> { ["LD_PRELOAD"] = null, ["FAKETIME"] = null }
        : new Dictionary<string, string?>
        {
            ["LD_PRELOAD"] = Library,
            ["FAKETIME"] = spec,
            // Monotonic time must be faked too (RELIABILITY.md): a rate then reaches the Raft timers.
            ["FAKETIME_DONT_FAKE_MONOTONIC"] = null,
        };
}

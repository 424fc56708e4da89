using System.Globalization;
using Cairn.FaultTests.Run;

namespace Cairn.FaultTests.Scenarios;

/// <summary>Pass criteria of RELIABILITY.md's scenarios beyond the common rule (each returns why it failed, or null).</summary>
public static class Criteria
{
    public static Func<RunReport, string?> NoErrors { get; } = r =>
        r.Run.Errors.Count == 0 ? null : $"{r.Run.Errors.Count} unexpected answers (first: {r.Run.Errors[0]})";

    public static Func<RunReport, string?> LeaderChangesAtLeast(int n) => r =>
        (r.Leaders?.LeaderChanges ?? 0) >= n ? null : $"only {r.Leaders?.LeaderChanges ?? 0} leader changes were seen; at least {n} are required";

    public static Func<RunReport, string?> FirstWriteAfterHealWithin(TimeSpan bound) => r =>
        r.RecoveryMs is { } ms && ms <= bound.TotalMilliseconds ? null
            : string.Create(CultureInfo.InvariantCulture, $"the first write after the heal was acknowledged {(r.RecoveryMs is { } v ? $"{v:F0} ms" : "never")} after it; the bound is {bound.TotalSeconds} s");

    public static Func<RunReport, string?> SuccessAtLeast(double share) => r =>
        r.SuccessRate >= share ? null : string.Create(CultureInfo.InvariantCulture, $"success {r.SuccessRate:P1} < {share:P0}");

    public static Func<RunReport, string?> SomeFaults(string kind) => r =>
        r.Run.Faults.Records.Any(f => f.Kind == kind) ? null : $"no {kind} fault was injected (the scenario did not exercise what it claims)";
}

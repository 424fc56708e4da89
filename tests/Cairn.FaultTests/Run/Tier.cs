using System.Globalization;

namespace Cairn.FaultTests.Run;

/// <summary>
/// The PR tier (default: one fixed seed per scenario, 20–40 s runs) or the extended tier
/// (<c>CAIRN_FAULTS_TIER=extended</c>: 5-minute fault phases, <c>CAIRN_FAULTS_SEEDS</c> seeds per scenario, default 2).
/// <c>CAIRN_FAULTS_SEED</c> replays one seed in either tier; <c>CAIRN_FAULTS_FAULT_SECONDS</c> overrides the fault phase.
/// </summary>
public static class Tier
{
    public const string TierVariable = "CAIRN_FAULTS_TIER";
    public const string SeedsVariable = "CAIRN_FAULTS_SEEDS";
    public const string SeedVariable = "CAIRN_FAULTS_SEED";
    public const string FaultSecondsVariable = "CAIRN_FAULTS_FAULT_SECONDS";

    public static bool Extended => string.Equals(Environment.GetEnvironmentVariable(TierVariable), "extended", StringComparison.OrdinalIgnoreCase);

    public static string Name => Extended ? "extended" : "pr";

    /// <summary>The fault phase: the scenario's PR length, 5 minutes in the extended tier, or the override.</summary>
    public static TimeSpan FaultPhase(TimeSpan pr) =>
        Positive(FaultSecondsVariable) is { } s ? TimeSpan.FromSeconds(s) : Extended ? TimeSpan.FromMinutes(5) : pr;

    /// <summary>The seeds a scenario runs: its fixed PR seed, more in the extended tier, or the one replayed.</summary>
    public static TheoryData<int> Seeds(int prSeed)
    {
        var data = new TheoryData<int>();
        if (Positive(SeedVariable) is { } replay)
        {
            data.Add(replay);
            return data;
        }
        var count = Extended ? Positive(SeedsVariable) ?? 2 : 1;
        for (var i = 0; i < count; i++) data.Add(prSeed + (i * 1000));
        return data;
    }

    private static int? Positive(string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : null;
}

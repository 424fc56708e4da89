using System.Security.Cryptography;
using System.Text;

namespace Cairn.LoadTest;

/// <summary>What every worker of a run shares: options, keys, the run's tag, and the verify/check recorders.</summary>
public sealed class RunContext
{
    /// <param name="checker">Null: the linearizability checker, within <see cref="BenchOptions.CheckTimeMax"/>.</param>
    public RunContext(BenchOptions options, IHistoryChecker? checker = null)
    {
        RunId = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 6);
        // A checked history must start from absent keys, so --check writes under fresh names.
        Options = options.Check ? options with { KeyPrefix = options.KeyPrefix + RunId + "-" } : options;
        Keys = new KeySpace(Options);
        RunTag = Encoding.ASCII.GetBytes(RunId);
        Zipf = Options.Distribution == KeyDistribution.Zipfian ? new ZipfianGenerator(Options.KeyCount, Options.ZipfTheta) : null;
        Tracker = Options.Verify ? new WriteTracker(Options.KeyCount) : null;
        History = Options.Check || Options.HistoryPath is not null ? new HistoryLog(Options.Connections, BenchOptions.CheckOperationsMax) : null;
        Checker = checker ?? new LinearizabilityHistoryChecker(LinearizabilityHistoryChecker.OptionsFor(Options.CheckTimeMax));
        ContentType = Options.Target == KeyTarget.Documents ? "application/json" : "application/octet-stream";
    }

    public BenchOptions Options { get; }

    /// <summary>Six random characters naming this run: in every value's tag, and in --check's key names.</summary>
    public string RunId { get; }

    public byte[] RunTag { get; }
    public KeySpace Keys { get; }
    public ZipfianGenerator? Zipf { get; }
    public WriteTracker? Tracker { get; }
    public HistoryLog? History { get; }
    /// <summary>Judges the history after the run when --check is on.</summary>
    public IHistoryChecker Checker { get; }
    public string ContentType { get; }

    /// <summary>Whether writes need their tag as a string (to remember or record it).</summary>
    public bool NeedsTags => Tracker is not null || History is not null;
}

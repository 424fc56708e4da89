using System.Collections.Concurrent;
using System.Globalization;
using Cairn.Checking;
using Cairn.FaultTests.Clients;
using Cairn.SystemTests.Harness;

namespace Cairn.FaultTests.Run;

/// <summary>
/// What the clients, the nemesis and the checkers of one run share: the spec, the cluster, the history's clock, the
/// recorder (the checker's history), the per-operation records (revisions, nodes, answers), the fault log and the
/// client-visible errors. Thread-safe: the recorder, the records and the errors are concurrent; the rest is read-only.
/// </summary>
public sealed class RunContext
{
    private readonly ConcurrentQueue<OpRecord> _records = new();
    private readonly ConcurrentQueue<string> _errors = new();

    public RunContext(RunSpec spec, TestCluster cluster, IReadOnlyList<string> clientNodes)
    {
        Spec = spec;
        Cluster = cluster;
        ClientNodes = clientNodes;
        Clock = new RunClock();
        Recorder = new HistoryRecorder(() => Clock.Now);
        Faults = new FaultLog(Clock);
        Tag = string.Create(CultureInfo.InvariantCulture, $"s{spec.Seed}-");
        Keys = [.. Enumerable.Range(0, spec.Keys).Select(i => string.Create(CultureInfo.InvariantCulture, $"k{i}"))];
    }

    public const string KeyPrefix = "f/";

    public RunSpec Spec { get; }

    public TestCluster Cluster { get; }

    /// <summary>The nodes clients talk to (the founding members; joined nodes come and go).</summary>
    public IReadOnlyList<string> ClientNodes { get; }

    public RunClock Clock { get; }

    public HistoryRecorder Recorder { get; }

    public FaultLog Faults { get; }

    /// <summary>Prefix of every value and request id of this run (values are unique within the run).</summary>
    public string Tag { get; }

    public IReadOnlyList<string> Keys { get; }

    public IReadOnlyList<OpRecord> Records => [.. _records];

    public IReadOnlyList<string> Errors => [.. _errors];

    public string PathOf(string key) => $"v1/_kv/{KeyPrefix}{key}";

    /// <summary>Client <paramref name="client"/>'s node for its <paramref name="attempt"/>-th attempt (home node, then the next ones).</summary>
    public string NodeFor(int client, int attempt) => ClientNodes[(client + attempt) % ClientNodes.Count];

    public void Add(OpRecord record) => _records.Enqueue(record);

    /// <summary>An answer no fault explains (a 4xx on a valid request, a 500): counted as an error of the run.</summary>
    public void Error(string text)
    {
        if (_errors.Count < 1000) _errors.Enqueue($"{Clock.Elapsed.TotalMilliseconds:0} ms: {text}");
    }
}

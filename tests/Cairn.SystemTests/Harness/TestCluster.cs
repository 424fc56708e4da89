using System.Globalization;
using System.Text;

namespace Cairn.SystemTests.Harness;

/// <summary>How a <see cref="TestCluster"/> is laid out.</summary>
public sealed record ClusterSpec
{
    public int Size { get; init; } = 3;

    /// <summary>Route every peer link through its own <see cref="PeerRelay"/> so partitions of any shape can be made.</summary>
    public bool Relays { get; init; }

    /// <summary>Appended to every node's command line (e.g. <c>--Cairn:Cluster:MaintenanceIntervalMs=100</c>).</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];

    /// <summary>Extra environment of a node's process by name (null or empty: none), e.g. libfaketime's variables.</summary>
    public Func<string, IReadOnlyDictionary<string, string?>?>? NodeEnvironment { get; init; }
}

/// <summary>
/// N real <c>cairn serve</c> processes on 127.0.0.1 forming one cluster (n1..nN, founding voters via --peers), an
/// HttpClient per node, optional relays on every directed peer link, and deadline-bounded waits (see the Waits part).
/// Disposing kills every process it started (by PID) and waits for each.
/// </summary>
/// <remarks>Driven by one test at a time; not thread-safe except for the HttpClients.</remarks>
public sealed partial class TestCluster : IAsyncDisposable, IDiagnosable
{
    public static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(45);

    private readonly List<NodeProcess> _nodes = [];
    private readonly Dictionary<string, HttpClient> _clients = [];
    private readonly Dictionary<(string From, string To), PeerRelay> _relays = [];
    private readonly ClusterSpec _spec;

    private TestCluster(ClusterSpec spec, string label)
    {
        _spec = spec;
        ClusterId = "st-" + Guid.NewGuid().ToString("N")[..8];
        LogDirectory = Path.Combine(Path.GetTempPath(), "cairn-systests",
            $"{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{label}-{ClusterId}");
        Directory.CreateDirectory(LogDirectory);
    }

    public string ClusterId { get; }

    public string LogDirectory { get; }

    public IReadOnlyList<NodeProcess> Nodes => _nodes;

    public IEnumerable<string> Names => _nodes.Select(n => n.Name);

    public IEnumerable<string> Running => _nodes.Where(n => n.IsRunning).Select(n => n.Name);

    public NodeProcess this[string name] => _nodes.Single(n => n.Name == name);

    public HttpClient Client(string name) => _clients[name];

    public PeerRelay Relay(string from, string to) => _relays[(from, to)];

    /// <summary>Starts the founding nodes and waits until they agree on a leader and are all ready.</summary>
    public static async Task<TestCluster> StartAsync(string label, ClusterSpec? spec = null)
    {
        spec ??= new ClusterSpec();
        var cluster = new TestCluster(spec, label);
        try
        {
            cluster.Launch();
            await cluster.WaitForLeaderAsync(timeout: StartupTimeout);
            await cluster.WaitReadyAsync(timeout: StartupTimeout);
            await cluster.WaitAllVotersAsync(timeout: StartupTimeout);
            return cluster;
        }
        catch (Exception e)
        {
            var diagnostics = cluster.Diagnostics();
            await cluster.DisposeAsync();
            throw new SystemTestFailedException($"the cluster did not start: {e.Message}\n\n{diagnostics}", e);
        }
    }

    /// <summary>Starts one more node that joins through <paramref name="seed"/>'s HTTP address (--join).</summary>
    public NodeProcess StartJoiningNode(string name, string seed, int? httpPort = null, int? peerPort = null)
    {
        var http = httpPort ?? FreePorts.Next();
        var peer = peerPort ?? FreePorts.Next();
        var node = CreateNode(name, http, peer, ["--join", this[seed].HttpUri.ToString().TrimEnd('/')]);
        node.Start();
        return node;
    }

    /// <summary>Cuts every relay crossing between <paramref name="side"/> and the other nodes, both directions.</summary>
    public void Partition(params string[] side)
    {
        foreach (var ((from, to), relay) in _relays)
        {
            if (side.Contains(from) != side.Contains(to)) relay.Cut();
        }
    }

    public void HealAll()
    {
        foreach (var relay in _relays.Values) relay.Heal();
    }

    public string Diagnostics()
    {
        var text = new StringBuilder();
        text.AppendLine($"cluster {ClusterId}, logs in {LogDirectory}");
        if (_relays.Count > 0) text.AppendLine("relays: " + string.Join("; ", _relays.Values));
        foreach (var node in _nodes)
        {
            text.AppendLine($"--- {node.Name} http {node.HttpPort} peer {node.PeerPort} pids [{string.Join(',', node.Pids)}] " +
                $"{(node.IsRunning ? "running" : "not running")}{(node.IsPaused ? " (paused)" : "")} log {node.LogPath}");
            text.AppendLine(node.Tail(40));
        }
        return text.ToString();
    }

    /// <summary>Kills every node by PID and waits for each; never throws (a failure here must not hide the test's own).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            try
            {
                await node.DisposeAsync();
            }
            catch (Exception e)
            {
                await Console.Error.WriteLineAsync($"system tests: stopping {node.Name} (pids {string.Join(',', node.Pids)}) failed: {e}");
            }
        }
        foreach (var relay in _relays.Values) await relay.DisposeAsync();
        foreach (var client in _clients.Values) client.Dispose();
    }

    private void Launch()
    {
        CreateFoundingNodes();
        foreach (var node in _nodes) node.Start();
    }

    private void CreateFoundingNodes()
    {
        var ports = Enumerable.Range(1, _spec.Size).ToDictionary(i => $"n{i}", _ => (Http: FreePorts.Next(), Peer: FreePorts.Next()));
        if (_spec.Relays)
        {
            foreach (var from in ports.Keys)
            {
                foreach (var to in ports.Keys.Where(t => t != from)) _relays[(from, to)] = new PeerRelay(from, to, ports[to].Peer);
            }
        }
        foreach (var (name, (http, peer)) in ports)
        {
            // Each node reaches the others through its own relays; its own entry is its real listening address.
            var peers = string.Join(',', ports.Select(p =>
                $"{p.Key}=127.0.0.1:{(p.Key == name || !_spec.Relays ? p.Value.Peer : _relays[(name, p.Key)].Port)}"));
            CreateNode(name, http, peer, ["--peers", peers]);
        }
    }

    private NodeProcess CreateNode(string name, int http, int peer, IEnumerable<string> membershipArgs)
    {
        List<string> args =
        [
            "serve", "--node-id", name, "--http", $"127.0.0.1:{http}", "--peer-address", $"127.0.0.1:{peer}",
            .. membershipArgs,
            "--cluster-id", ClusterId,
            // A safety net: the node stops on its own if the test host dies without disposing the cluster.
            "--parent-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            "--Logging:Console:FormatterOptions:TimestampFormat=HH:mm:ss.fff ",
            "--Logging:Console:FormatterOptions:SingleLine=true",
            .. _spec.ExtraArgs,
        ];
        var node = new NodeProcess(name, http, peer, args, Path.Combine(LogDirectory, name + ".log"));
        foreach (var (variable, value) in _spec.NodeEnvironment?.Invoke(name) ?? new Dictionary<string, string?>()) node.Environment[variable] = value;
        _nodes.Add(node);
        _clients[name] = Api.CreateClient(node.HttpUri);
        return node;
    }
}

/// <summary>Something that can describe its state (processes, logs) when a test fails.</summary>
public interface IDiagnosable
{
    string Diagnostics();
}

/// <summary>A failed system test, with the logs of the processes involved in its message.</summary>
public sealed class SystemTestFailedException(string message, Exception inner) : Exception(message, inner);

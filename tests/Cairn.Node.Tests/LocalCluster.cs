using Cairn.Consensus;
using Cairn.Consensus.Storage;
using Cairn.Node.Raft;
using Cairn.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Node.Tests;

/// <summary>
/// N Raft drivers in one process, wired by a router that delivers messages directly and can cut
/// directed links. Real timers (TickMs) drive the cores; tests wait with deadlines, never sleep.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly Dictionary<NodeId, RaftDriver> _drivers = [];
    private readonly HashSet<(NodeId From, NodeId To)> _cut = [];
    private readonly Lock _gate = new();

    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    public LocalCluster(int size, int seed = 1, RaftDriverOptions? options = null)
    {
        var ids = Enumerable.Range(1, size).Select(i => new NodeId((ulong)i)).ToArray();
        var membership = new Membership(ids, []);
        options ??= new RaftDriverOptions { TickMs = 10, ElectionTicks = 10, SnapshotEntries = 200 };
        foreach (var id in ids)
        {
            var config = new RaftConfig
            {
                Id = id,
                Random = new Random(seed * 31 + (int)id.Value),
                ElectionTicks = options.ElectionTicks,
                HeartbeatTicks = options.HeartbeatTicks,
                SnapshotLogTailEntries = 50,
                Bootstrap = membership,
            };
            var snapshots = new InMemorySnapshotStore();
            Snapshots[id] = snapshots;
            var driver = new RaftDriver(config, new InMemoryLogStore(), new InMemoryStableStore(), snapshots,
                new KvStore(StoreLimits.Default), new Router(this, id), options, TimeProvider.System, NullLogger.Instance);
            _drivers[id] = driver;
            Services[id] = new RaftKvService(driver, id.ToString(), TimeSpan.FromSeconds(2), TimeProvider.System);
        }
        foreach (var d in _drivers.Values) d.Start();
    }

    public Dictionary<NodeId, RaftKvService> Services { get; } = [];

    /// <summary>Each driver's snapshot store (owned by its loop: read it only to poll for a snapshot's arrival).</summary>
    public Dictionary<NodeId, InMemorySnapshotStore> Snapshots { get; } = [];

    public IReadOnlyCollection<RaftDriver> Drivers => _drivers.Values;

    public RaftDriver Driver(NodeId id) => _drivers[id];

    /// <summary>Cuts both directions between <paramref name="node"/> and every other node.</summary>
    public void Isolate(NodeId node)
    {
        lock (_gate)
        {
            foreach (var other in _drivers.Keys.Where(o => o != node))
            {
                _cut.Add((node, other));
                _cut.Add((other, node));
            }
        }
    }

    public void HealAll()
    {
        lock (_gate) _cut.Clear();
    }

    /// <summary>Waits until exactly one node among <paramref name="among"/> leads and the others agree on it.</summary>
    public async Task<NodeId> WaitForLeaderAsync(IEnumerable<NodeId>? among = null, NodeId? not = null)
    {
        var members = (among ?? _drivers.Keys).ToList();
        return await PollAsync(() =>
        {
            var leaders = members.Where(m => _drivers[m].Status.Role == RaftRole.Leader && _drivers[m].Status.Leader == m).ToList();
            if (leaders.Count != 1 || leaders[0] == not) return (false, NodeId.None);
            var leader = leaders[0];
            return (members.All(m => _drivers[m].Status.Leader == leader), leader);
        }, "a single agreed leader");
    }

    public static async Task<T> PollAsync<T>(Func<(bool Done, T Value)> probe, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            var (done, value) = probe();
            if (done) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(10); // polling interval of a deadline-bounded wait, not a synchronisation sleep
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _drivers.Values) await d.DisposeAsync();
    }

    private sealed class Router(LocalCluster cluster, NodeId from) : IRaftMessageSink
    {
        public void Send(IReadOnlyList<Message> messages)
        {
            foreach (var m in messages)
            {
                bool cut;
                lock (cluster._gate) cut = cluster._cut.Contains((from, m.To));
                if (!cut && cluster._drivers.TryGetValue(m.To, out var target)) target.Deliver(m);
            }
        }
    }
}

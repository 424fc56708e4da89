using System.Net.Http.Json;
using Cairn.Consensus;
using Cairn.Store;
using Microsoft.Extensions.Logging;

namespace Cairn.Node.Cluster;

/// <summary>The state hash of one replica at one log index (every node hashes the same indexes).</summary>
public sealed record CheckpointHash(long Revision, string Hash);

/// <summary>A replica whose state hash differs from the leader's at the same index: its state machine diverged.</summary>
public sealed record Divergence(string Node, long Revision, string LeaderHash, string NodeHash, DateTimeOffset DetectedAt);

public sealed partial class ClusterNode
{
    private const int CheckpointsKept = 16;
    private const int DivergencesKept = 32;

    private readonly Lock _checkGate = new();
    private readonly SortedList<long, string> _checkpoints = [];
    private readonly List<Divergence> _divergences = [];
    private long _divergenceCount;
    private int _hashing;
    private Task _crossCheck = Task.CompletedTask;
    private DateTimeOffset _lastCrossCheck;

    /// <summary>This node's most recent checkpoint hashes, oldest first.</summary>
    public IReadOnlyList<CheckpointHash> Checkpoints
    {
        get
        {
            lock (_checkGate) return [.. _checkpoints.Select(c => new CheckpointHash(c.Key, c.Value))];
        }
    }

    /// <summary>Divergences this node found while it led (most recent last), kept until the process restarts.</summary>
    public IReadOnlyList<Divergence> Divergences
    {
        get
        {
            lock (_checkGate) return [.. _divergences];
        }
    }

    public long DivergenceCount => Interlocked.Read(ref _divergenceCount);

    // Driver loop: hash off the loop. A checkpoint that arrives while the previous one is still hashing is skipped
    // (the nodes compare only the indexes both have).
    private void OnCheckpoint(StoreView view)
    {
        if (Interlocked.Exchange(ref _hashing, 1) == 1) return;
        _ = Task.Run(() =>
        {
            try
            {
                var hash = Convert.ToHexStringLower(view.ComputeStateHash());
                if (_options.TestingSkewCheckpoints) hash = "0" + hash[1..];
                lock (_checkGate)
                {
                    _checkpoints[view.Revision] = hash;
                    while (_checkpoints.Count > CheckpointsKept) _checkpoints.RemoveAt(0);
                }
            }
            finally
            {
                Volatile.Write(ref _hashing, 0);
            }
        });
    }

    private void MaybeCrossCheck(Raft.RaftDriverStatus s, CancellationToken stopping)
    {
        if (s.Role != RaftRole.Leader || !_crossCheck.IsCompleted || _options.CheckpointEveryEntries == 0) return;
        var now = _time.GetUtcNow();
        if (now - _lastCrossCheck < TimeSpan.FromMilliseconds(_options.CrossCheckIntervalMs)) return;
        _lastCrossCheck = now;
        _crossCheck = CrossCheckAsync(s, stopping);
    }

    // The leader asks every member for its checkpoint hashes and compares those at indexes it hashed too.
    private async Task CrossCheckAsync(Raft.RaftDriverStatus s, CancellationToken stopping)
    {
        var mine = Checkpoints.ToDictionary(c => c.Revision, c => c.Hash);
        if (mine.Count == 0) return;
        foreach (var member in s.Membership.Members.Where(m => m != Id))
        {
            if (!_directory.Members.TryGetValue(member, out var info) || info.HttpAddress is null) continue;
            try
            {
                var url = new Uri(new Uri(info.HttpAddress.TrimEnd('/') + "/"), "v1/_cluster/checkpoints");
                var theirs = await _http.GetFromJsonAsync(url, JoinJson.Default.CheckpointHashArray, stopping) ?? [];
                foreach (var c in theirs)
                {
                    if (!mine.TryGetValue(c.Revision, out var expected) || expected == c.Hash) continue;
                    Report(new Divergence(info.Name, c.Revision, expected, c.Hash, _time.GetUtcNow()));
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                // Unreachable now: the next round asks again.
            }
        }
    }

    private void Report(Divergence d)
    {
        lock (_checkGate)
        {
            if (_divergences.Exists(x => x.Node == d.Node && x.Revision == d.Revision)) return;
            _divergences.Add(d);
            if (_divergences.Count > DivergencesKept) _divergences.RemoveAt(0);
        }
        Interlocked.Increment(ref _divergenceCount);
        LogDivergence(_logger, d.Node, d.Revision, d.LeaderHash, d.NodeHash);
    }

    [LoggerMessage(Level = LogLevel.Critical,
        Message = "replica {Node} DIVERGED: its state hash at revision {Revision} is {NodeHash}, the leader's is {LeaderHash}")]
    private static partial void LogDivergence(ILogger logger, string node, long revision, string leaderHash, string nodeHash);
}

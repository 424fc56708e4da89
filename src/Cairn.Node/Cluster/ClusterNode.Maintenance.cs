using System.Net.Http.Json;
using Cairn.Consensus;
using Cairn.Store;
using Microsoft.Extensions.Logging;

namespace Cairn.Node.Cluster;

public sealed partial class ClusterNode
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private int _maintaining;
    private int _peerCount = -1;
    private volatile IReadOnlyList<(string Name, string Address)> _learnedPeers = [];
    private Task _registration = Task.CompletedTask;
    private Task _promotion = Task.CompletedTask;
    private Task _expiry = Task.CompletedTask;
    private Task _joining = Task.CompletedTask;

    /// <summary>This node's own entry in the address book.</summary>
    public MemberInfo Self => new(Name, _options.PeerAddress!, _options.AdvertiseHttp);

    // One round at a time (a slow round skips the next tick). Each long step runs as a background task and is not
    // restarted until it finished, so a stalled cluster never piles up proposals from here.
    private void RunMaintenance()
    {
        if (Interlocked.Exchange(ref _maintaining, 1) == 1) return;
        try
        {
            RefreshDirectory();
            var s = _driver.Status;
            var stopping = _stop.Token;
            if (stopping.IsCancellationRequested) return;
            if (!_forwards.IsEmpty) FailForwardsToFormerLeaders(s.Leader);
            if (s.Membership.Contains(Id) && !s.Leader.IsNone && _registration.IsCompleted && NeedsRegistration())
                _registration = RegisterSelfAsync(stopping);
            if (s.Role == RaftRole.Leader)
            {
                if (_promotion.IsCompleted && FindLearnerToPromote(s) is { } learner) _promotion = PromoteAsync(learner);
                if (_expiry.IsCompleted)
                    _expiry = ExpiryProposer.ProposeDueAsync(_driver.Store, _time, _nodeOptions.ExpiryBatchKeysMax, ProposeAsync, _logger, stopping);
            }
            MaybeCrossCheck(s, stopping);
            WatchForDataLoss(s);
            if (!s.Membership.Contains(Id) && !string.IsNullOrWhiteSpace(_options.Join) && _joining.IsCompleted)
                _joining = JoinAsync(_options.Join!, stopping);
        }
        catch (Exception e) when (e is not InvariantViolationException)
        {
            LogMaintenanceFailed(_logger, e);
        }
        finally
        {
            Volatile.Write(ref _maintaining, 0);
        }
    }

    /// <summary>Re-reads the address book from the store and gives the transport the new peer list if addresses changed.</summary>
    public void RefreshDirectory()
    {
        var fresh = MemberDirectory.Read([.. _staticPeers, .. _learnedPeers], _driver.Store.Current);
        var old = _directory;
        _directory = fresh;
        var peers = PeerMap(fresh);
        if (!fresh.SameAddresses(old) || peers.Count != _peerCount)
        {
            _transport.SetPeers(peers);
            _peerCount = peers.Count;
        }
    }

    private bool NeedsRegistration() =>
        !_directory.Members.TryGetValue(Id, out var known) || known != Self;

    private async Task RegisterSelfAsync(CancellationToken stopping)
    {
        try
        {
            await ProposeAsync(new CommandEnvelope(null, new KvPut(MemberDirectory.KeyOf(Name), MemberDirectory.Encode(Self), null,
                Precondition.None)), stopping);
        }
        catch (Exception e) when (e is ServiceUnavailableException or OperationCanceledException)
        {
            // No leader yet or shutting down: the next round retries.
        }
    }

    // Caught up means the learner has answered: its match is known (Replicate, match > 0) and it was heard from within an
    // election timeout. A fresh learner's match is 0, which on a short log is already "within the lag" — without
    // these checks a node that was added but never started (or is unreachable) became a voter at once.
    private NodeId? FindLearnerToPromote(Raft.RaftDriverStatus s)
    {
        foreach (var learner in s.Membership.Learners)
        {
            var progress = s.Progress.FirstOrDefault(p => p.Node == learner);
            if (progress is null || progress.Recovering || progress.State != ProgressState.Replicate || progress.Match.Value == 0
                || progress.TicksSinceContact >= _options.ElectionTicks)
            {
                continue;
            }
            if ((long)s.LastIndex.Value - (long)progress.Match.Value <= _options.PromoteLagEntriesMax) return learner;
        }
        return null;
    }

    private async Task PromoteAsync(NodeId learner)
    {
        try
        {
            await _driver.ProposeMembershipChangeAsync(new MembershipChange(MembershipChangeKind.PromoteLearner, learner));
            LogPromoted(_logger, _directory.NameOf(learner));
        }
        catch (Exception e) when (e is ServiceUnavailableException or ArgumentException)
        {
            // Another change pending, or leadership moved: a later round (or the next leader) tries again.
        }
    }

    private async Task JoinAsync(string seed, CancellationToken stopping)
    {
        try
        {
            var baseUri = new Uri(seed.TrimEnd('/') + "/");
            // The learner must be able to answer the leader before its log holds the address book: learn it from the seed.
            var view = await _http.GetFromJsonAsync(new Uri(baseUri, "v1/_cluster"), JoinJson.Default.ClusterView, stopping);
            if (view is not null)
            {
                _learnedPeers = [.. view.Members.Where(m => m.PeerAddress is not null && NodeNames.IsValid(m.Name) && m.Name != Name)
                    .Select(m => (m.Name, m.PeerAddress!))];
                RefreshDirectory();
            }
            var url = new Uri(baseUri, "v1/_cluster/members");
            using var response = await _http.PostAsJsonAsync(url, new JoinBody(Name, Self.PeerAddress, Self.HttpAddress), JoinJson.Default.JoinBody, stopping);
            if (!response.IsSuccessStatusCode)
                LogJoinRefused(_logger, seed, (int)response.StatusCode, await response.Content.ReadAsStringAsync(stopping));
            else LogJoinAccepted(_logger, seed);
            // Wait before the next attempt: the leader needs a moment to reach a new learner.
            await Task.Delay(TimeSpan.FromSeconds(1), _time, stopping);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException)
        {
            LogJoinUnreachable(_logger, seed, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "a maintenance round failed")]
    private static partial void LogMaintenanceFailed(ILogger logger, Exception error);

    [LoggerMessage(Level = LogLevel.Information, Message = "promoted learner {Name} to voter")]
    private static partial void LogPromoted(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "joining through {Seed} was refused ({Status}): {Body}")]
    private static partial void LogJoinRefused(ILogger logger, string seed, int status, string body);

    [LoggerMessage(Level = LogLevel.Information, Message = "asked {Seed} to add this node; waiting for the leader to reach it")]
    private static partial void LogJoinAccepted(ILogger logger, string seed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot reach {Seed} to join: {Reason}")]
    private static partial void LogJoinUnreachable(ILogger logger, string seed, string reason);
}

/// <summary>The body of <c>POST /v1/_cluster/members</c>.</summary>
public sealed record JoinBody(
    [property: System.Text.Json.Serialization.JsonPropertyName("name")] string Name,
    [property: System.Text.Json.Serialization.JsonPropertyName("peerAddress")] string PeerAddress,
    [property: System.Text.Json.Serialization.JsonPropertyName("httpAddress")] string? HttpAddress);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(JoinBody))]
[System.Text.Json.Serialization.JsonSerializable(typeof(ClusterView))]
[System.Text.Json.Serialization.JsonSerializable(typeof(CheckpointHash[]))]
internal sealed partial class JoinJson : System.Text.Json.Serialization.JsonSerializerContext;

using System.Net;

namespace Cairn.SystemTests.Harness;

public sealed partial class TestCluster
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Waits until every node in <paramref name="among"/> (default: every running node) names the same leader, that
    /// leader is not <paramref name="not"/>, and the leader itself reports the leader role. Returns its name.
    /// </summary>
    public Task<string> WaitForLeaderAsync(IEnumerable<string>? among = null, string? not = null, TimeSpan? timeout = null)
    {
        var names = (among ?? Running).ToList();
        return Poll.UntilAsync($"a leader agreed by {string.Join(',', names)}{(not is null ? "" : $" other than {not}")}", timeout ?? DefaultWait,
            async () =>
            {
                EnsureRunning(names, "waiting for a leader");
                var views = await Task.WhenAll(names.Select(n => Client(n).ClusterAsync()));
                var leaders = views.Select(v => v.Leader).Distinct().ToList();
                var state = string.Join(" | ", views.Select(v => v.ToString()));
                if (leaders is not [{ } leader] || leader == not) return (false, "", state);
                if (names.Contains(leader) && views.Single(v => v.Node == leader).Role != "leader") return (false, "", state);
                if (!names.Contains(leader) && (await Client(leader).ClusterAsync()).Role != "leader") return (false, "", state);
                return (true, leader, state);
            });
    }

    /// <summary>
    /// Waits until the leader sees every running node as a voter. A node whose first probe round found the others
    /// already running (a slow start) takes the safe path — it is demoted to learner and promoted once caught up — and
    /// the scenarios assume a cluster of voters.
    /// </summary>
    public Task WaitAllVotersAsync(TimeSpan? timeout = null)
    {
        var names = Running.ToList();
        return Poll.UntilAsync($"{string.Join(',', names)} all voters", timeout ?? DefaultWait, async () =>
        {
            var leader = await WaitForLeaderAsync(timeout: timeout);
            var view = await Client(leader).ClusterAsync();
            var voters = names.All(n => view.Member(n)?.Role is "leader" or "follower");
            return (voters, view.ToString());
        });
    }

    /// <summary>Waits until /readyz answers 200 on every node in <paramref name="among"/> (default: every running node).</summary>
    public Task WaitReadyAsync(IEnumerable<string>? among = null, TimeSpan? timeout = null)
    {
        var names = (among ?? Running).ToList();
        return Poll.UntilAsync($"{string.Join(',', names)} ready", timeout ?? DefaultWait, async () =>
        {
            EnsureRunning(names, "waiting for readiness");
            var states = new List<string>();
            var ready = true;
            foreach (var n in names)
            {
                using var response = await Client(n).SendAsync(HttpMethod.Get, "readyz", timeout: TimeSpan.FromSeconds(3));
                states.Add($"{n}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                ready &= response.StatusCode == HttpStatusCode.OK;
            }
            return (ready, string.Join(" | ", states));
        });
    }

    /// <summary>
    /// Waits until every node in <paramref name="among"/> (default: every running node) has applied the same index
    /// and reports the same state hash at the same revision. Returns that revision.
    /// </summary>
    public Task<long> WaitConvergedAsync(IEnumerable<string>? among = null, TimeSpan? timeout = null)
    {
        var names = (among ?? Running).ToList();
        return Poll.UntilAsync($"{string.Join(',', names)} converged (same applied index and state hash)", timeout ?? DefaultWait, async () =>
        {
            EnsureRunning(names, "waiting for convergence");
            var views = await Task.WhenAll(names.Select(n => Client(n).ClusterAsync()));
            var hashes = await Task.WhenAll(names.Select(n => Client(n).HashAsync()));
            var state = string.Join(" | ", names.Select((n, i) => $"{n}: applied {views[i].AppliedIndex} rev {hashes[i].Revision} hash {hashes[i].Hash[..12]}"));
            var done = views.Select(v => v.AppliedIndex).Distinct().Count() == 1
                && hashes.Select(h => (h.Revision, h.Hash)).Distinct().Count() == 1
                && hashes[0].Revision == views[0].AppliedIndex;
            return (done, hashes[0].Revision, state);
        });
    }

    /// <summary>Waits until <paramref name="name"/>'s HTTP port answers /healthz (the process is up, ready or not).</summary>
    public Task WaitListeningAsync(string name, TimeSpan? timeout = null) =>
        Poll.UntilAsync($"{name} listening", timeout ?? StartupTimeout, async () =>
        {
            EnsureRunning([name], "waiting for it to listen");
            using var response = await Client(name).SendAsync(HttpMethod.Get, "healthz", timeout: TimeSpan.FromSeconds(3));
            return (response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}");
        });

    private void EnsureRunning(IEnumerable<string> names, string during)
    {
        foreach (var n in names) this[n].EnsureRunning(during);
    }
}

using System.Globalization;
using System.Text.Json;
using Cairn.FaultTests.Run;
using Cairn.SystemTests.Harness;

namespace Cairn.FaultTests.Nemesis;

public sealed partial class Nemesis
{
    /// <summary>The clock skews a skewed restart chooses from (offsets and rates, RELIABILITY S7).</summary>
    public static readonly IReadOnlyList<string> SkewSpecs = ["+300s", "-300s", "+0 x2", "+0 x0.5", "+300s x2", "-300s x0.5"];

    private async Task SkewAsync(TimeSpan hold, CancellationToken stop)
    {
        if (!ClockSkew.Available) return;
        var (target, isLeader) = PickTarget(leaderShare: 0.5);
        var node = Cluster[target];
        var spec = SkewSpecs[random.Next(SkewSpecs.Count)];
        var original = node.Environment.GetValueOrDefault("FAKETIME");
        var record = run.Faults.Begin("skew", target, $"restarted with FAKETIME=\"{spec}\"{(isLeader ? " (was leader)" : "")}");
        MarkDown(target, true);
        foreach (var (k, v) in ClockSkew.Environment(spec)) node.Environment[k] = v;
        await node.RestartAsync();
        MarkDown(target, false);
        await PaceAsync(hold, stop);
        MarkDown(target, true);
        foreach (var (k, v) in ClockSkew.Environment(original)) node.Environment[k] = v;
        await node.RestartAsync();
        MarkDown(target, false);
        run.Faults.End(record);
    }

    // One node at a time: restart it without the failpoint variables and wait until it answers again.
    private async Task DisarmFailpointsAsync()
    {
        foreach (var node in Cluster.Nodes.Where(n => !IsRemoved(n.Name) && n.Environment.GetValueOrDefault(FaultRun.CrashPointsVariable) is not null))
        {
            var record = run.Faults.Begin("disarm", node.Name, "restarted without failpoints");
            node.Environment[FaultRun.CrashPointsVariable] = null;
            node.Environment[FaultRun.CrashProbabilityVariable] = null;
            await node.RestartAsync();
            await Cluster.WaitListeningAsync(node.Name);
            run.Faults.End(record);
        }
    }

    /// <summary>
    /// Restarts (and logs) any node whose process ended without the nemesis killing it or removing it: crashes at a
    /// failpoint (S10) or anything else. Runs until <paramref name="stop"/>.
    /// </summary>
    public async Task SuperviseAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            foreach (var node in Cluster.Nodes.ToList())
            {
                if (node.IsRunning || IsDown(node.Name) || IsRemoved(node.Name)) continue;
                var cause = File.Exists(node.LogPath)
                    ? File.ReadLines(node.LogPath).LastOrDefault(l => l.Contains("failpoint", StringComparison.Ordinal)) ?? "exited"
                    : "exited";
                run.Faults.Instant("crash", node.Name, $"{cause}; restarted by the supervisor");
                await node.RestartAsync();
            }
            await PaceAsync(TimeSpan.FromMilliseconds(100), stop);
        }
    }

    /// <summary>
    /// Grows the cluster to five voters (two nodes join through --join) and shrinks it back (removal through the API,
    /// then the process is stopped), again and again, alongside the other faults (S8). New names each time.
    /// </summary>
    public async Task MembershipAsync(CancellationToken stop)
    {
        var next = Founding.Count + 1;
        while (!stop.IsCancellationRequested)
        {
            var added = new List<string>();
            for (var i = 0; i < 2 && !stop.IsCancellationRequested; i++)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"n{next++}");
                var seed = Founding[random.Next(Founding.Count)];
                var record = run.Faults.Begin("join", name, $"--join via {seed}");
                lock (_gate) _joined.Add(name);
                Cluster.StartJoiningNode(name, seed);
                added.Add(name);
                var voter = await WaitRoleAsync(name, "follower", stop);
                run.Faults.End(record, voter ? $"--join via {seed}: voter" : $"--join via {seed}: not a voter yet when the step ended");
                await PaceAsync(Between(run.Spec.FaultHold.Min, run.Spec.FaultHold.Max), stop);
            }
            foreach (var name in added)
            {
                var record = run.Faults.Begin("remove", name);
                var removed = await RemoveAsync(name);
                if (removed)
                {
                    lock (_gate) _removed.Add(name);
                    await Cluster[name].KillAsync();
                }
                run.Faults.End(record, removed ? "removed, process stopped" : "removal not confirmed; node kept");
            }
            await PaceAsync(Between(run.Spec.FaultGap.Min, run.Spec.FaultGap.Max), stop);
        }
    }

    private async Task<bool> WaitRoleAsync(string name, string role, CancellationToken stop)
    {
        var deadline = run.Clock.Elapsed + TimeSpan.FromSeconds(30);
        while (run.Clock.Elapsed < deadline && !stop.IsCancellationRequested)
        {
            var leader = leaders.Leader(TimeSpan.FromSeconds(2));
            if (leader is not null)
            {
                try
                {
                    if ((await Cluster.Client(leader).ClusterAsync(TimeSpan.FromSeconds(1))).Member(name)?.Role == role) return true;
                }
                catch (Exception e) when (e is HttpRequestException or TimeoutException or JsonException or TaskCanceledException)
                {
                }
            }
            await PaceAsync(TimeSpan.FromMilliseconds(200), stop);
        }
        return false;
    }

    // DELETE /v1/_cluster/members/{name} through founding nodes until one answers 204, or says it is not (or no
    // longer) a member: an earlier attempt that timed out may have removed it. Bounded.
    private async Task<bool> RemoveAsync(string name)
    {
        var deadline = run.Clock.Elapsed + TimeSpan.FromSeconds(30);
        for (var attempt = 0; run.Clock.Elapsed < deadline; attempt++)
        {
            var via = Founding[attempt % Founding.Count];
            try
            {
                using var response = await Cluster.Client(via).SendAsync(HttpMethod.Delete, $"v1/_cluster/members/{name}", timeout: TimeSpan.FromSeconds(5));
                if ((int)response.StatusCode is 204 or 404) return true;
                if ((int)response.StatusCode is >= 400 and < 500 && (await response.Content.ReadAsStringAsync()).Contains("is not a member", StringComparison.Ordinal)) return true;
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException or TaskCanceledException)
            {
            }
            await PaceAsync(TimeSpan.FromMilliseconds(250), CancellationToken.None);
        }
        return false;
    }
}

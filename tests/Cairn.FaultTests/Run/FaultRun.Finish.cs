using System.Text.Json;
using Cairn.Checking;
using Cairn.FaultTests.Checks;
using Cairn.FaultTests.Clients;
using Cairn.SystemTests.Harness;

namespace Cairn.FaultTests.Run;

public static partial class FaultRun
{
    // After the heal: the final write (must be acknowledged within the bound), convergence, the final membership,
    // every node's change feed and the final state, for the checks.
    private static async Task FinishAsync(RunContext run, RunReport report)
    {
        CheckNodesUp(run, report);
        await FinalWriteAsync(run, report);
        try
        {
            var revision = await run.Cluster.WaitConvergedAsync(timeout: run.Spec.RecoveryBound);
            report.Converged = run.Clock.Now;
            report.ConvergedRevision = revision;
        }
        catch (TimeoutException e)
        {
            report.Anomalies.Add(new Anomaly("no-convergence", e.Message));
        }
        if (run.Spec.Membership) await CheckMembershipAsync(run, report);
        var running = run.Cluster.Running.ToList();
        var histories = await Task.WhenAll(running.Select(async n =>
        {
            var applied = (await run.Cluster.Client(n).ClusterAsync()).AppliedIndex;
            return await NodeHistory.ReadAsync(run.Cluster.Client(n), n, RunContext.KeyPrefix, applied, TimeSpan.FromSeconds(30));
        }));
        report.Log = new CommittedLog(histories);
        report.Final = await FinalStateAsync(run, running);
    }

    private static async Task FinalWriteAsync(RunContext run, RunReport report)
    {
        var key = run.Keys[0];
        var value = run.Tag + "final";
        var requestId = run.Tag + "final-write";
        var handle = run.Recorder.InvokeWrite(run.Spec.Clients, key, value);
        var invoke = run.Clock.Now;
        var deadline = run.Clock.Elapsed + run.Spec.RecoveryBound;
        var attempts = 0;
        Attempt? last = null;
        while (run.Clock.Elapsed < deadline)
        {
            var node = run.NodeFor(attempts, 0);
            attempts++;
            last = await KvCall.SendAsync(run.Cluster.Client(node), HttpMethod.Put, run.PathOf(key), value, requestId, null, false, run.Spec.RequestTimeout);
            if (last.End == AttemptEnd.Answered) break;
            await Task.Delay(Poll.Interval); // retry back-off
        }
        var ok = last is { End: AttemptEnd.Answered, Status: >= 200 and < 300 };
        if (ok) run.Recorder.CompleteOk(handle);
        else run.Recorder.CompleteUnknown(handle);
        report.FinalWrite = run.Clock.Now;
        report.FinalWriteOk = ok;
        report.FinalWriteMs = RunClock.Span(invoke, report.FinalWrite);
        run.Add(new OpRecord
        {
            Index = handle.Index, Client = run.Spec.Clients, Kind = OpKind.Write, Key = key, Value = value, Invoke = invoke, Complete = run.Clock.Now,
            Outcome = ok ? OpOutcome.Ok : OpOutcome.Unknown, ModRevision = ok ? last!.ModRevision : null, ViewRevision = ok ? last!.ViewRevision : null,
            Nodes = "final", Attempts = attempts, Answer = last?.Answer ?? "not sent",
        });
        if (!ok)
            report.Anomalies.Add(new Anomaly("final-write-failed", $"the final write was not acknowledged within {run.Spec.RecoveryBound.TotalSeconds} s of the heal ({attempts} attempts, last: {last?.Answer} {last?.Body})"));
    }

    // After the heal every node that is still a member must be running: one that cannot restart (it refused its own
    // data, say) is an anomaly, named with its last error line, even when the rest of the cluster carries on.
    private static void CheckNodesUp(RunContext run, RunReport report)
    {
        foreach (var node in run.Cluster.Nodes.Where(n => !n.IsRunning && !run.Faults.Records.Any(f => f.Kind == "remove" && f.Target == n.Name)))
        {
            var error = File.Exists(node.LogPath)
                ? File.ReadLines(node.LogPath).LastOrDefault(l => l.Contains("Exception", StringComparison.Ordinal) || l.Contains("crit:", StringComparison.Ordinal))
                : null;
            report.Anomalies.Add(new Anomaly("node-down", $"{node.Name} (pid {node.Pid}) is not running after the heal: {error ?? "exited"} (log {node.LogPath})"));
        }
    }

    // Every running node must list the same members with the same roles as the leader (S8: nobody stuck in an old configuration).
    private static async Task CheckMembershipAsync(RunContext run, RunReport report)
    {
        try
        {
            await Poll.UntilAsync("every running node reports the same membership", TimeSpan.FromSeconds(20), async () =>
            {
                var views = await Task.WhenAll(run.Cluster.Running.Select(n => run.Cluster.Client(n).ClusterAsync()));
                var shapes = views.Select(v => string.Join(",", v.Members.OrderBy(m => m.Name, StringComparer.Ordinal).Select(m => $"{m.Name}:{(m.Role == "leader" ? "follower" : m.Role)}"))).ToList();
                report.FinalMembership = shapes[0];
                return (shapes.Distinct().Count() == 1, string.Join(" | ", views.Select(v => v.ToString())));
            });
        }
        catch (TimeoutException e)
        {
            report.Anomalies.Add(new Anomaly("membership-mismatch", e.Message));
        }
    }

    private static async Task<Dictionary<string, FinalItem>> FinalStateAsync(RunContext run, IReadOnlyList<string> running)
    {
        var final = new Dictionary<string, FinalItem>(StringComparer.Ordinal);
        foreach (var node in running)
        {
            try
            {
                var list = await run.Cluster.Client(node).GetJsonAsync<JsonElement>($"v1/_kv?prefix={RunContext.KeyPrefix}&consistency=linearizable&limit=1000");
                foreach (var item in list.GetProperty("items").EnumerateArray())
                {
                    var key = item.GetProperty("key").GetString()![RunContext.KeyPrefix.Length..];
                    final[key] = new FinalItem(key, item.TryGetProperty("value", out var v) ? v.GetString() : null, item.GetProperty("revision").GetInt64());
                }
                return final;
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException or JsonException)
            {
                // Try the next node.
            }
        }
        return final;
    }
}

using System.Globalization;
using Cairn.Checking;

namespace Cairn.FaultTests.Clients;

public sealed partial class WorkloadClient
{
    private int _requests;

    // One logical write/cas/delete: the same request id on every attempt, rotating over the nodes, until an answer is
    // conclusive. Unknown only when an attempt was ambiguous and none was conclusive; Fail when none can have applied.
    private async Task MutateAsync(OperationHandle handle, OpKind kind, string key, string? value, string? expected, HttpMethod method,
        string? ifMatch, bool ifNoneMatch, CancellationToken stop)
    {
        var requestId = string.Create(CultureInfo.InvariantCulture, $"{run.Tag}-c{id}-r{++_requests}");
        var invoke = run.Clock.Now;
        var ambiguous = false;
        var nodes = new List<string>();
        Attempt? last = null;
        OpOutcome? outcome = null;
        bool? swapped = null;
        for (var attempt = 0; attempt < run.Spec.WriteAttempts && outcome is null; attempt++)
        {
            var node = run.NodeFor(id, attempt);
            nodes.Add(node);
            last = await KvCall.SendAsync(run.Cluster.Client(node), method, run.PathOf(key), value, requestId, ifMatch, ifNoneMatch, run.Spec.RequestTimeout);
            if (last.End == AttemptEnd.Answered)
            {
                (outcome, swapped) = Conclude(kind, key, node, last, ambiguous, handle);
                break;
            }
            ambiguous |= last.Ambiguous;
            if (attempt + 1 < run.Spec.WriteAttempts && !stop.IsCancellationRequested)
                await Task.Delay(TimeSpan.FromMilliseconds(50 * (attempt + 1)), CancellationToken.None); // retry back-off
            else if (stop.IsCancellationRequested && !ambiguous) break;
        }
        if (outcome is null)
        {
            outcome = ambiguous ? OpOutcome.Unknown : OpOutcome.Fail;
            if (ambiguous) run.Recorder.CompleteUnknown(handle);
            else run.Recorder.CompleteFail(handle);
        }
        if (outcome == OpOutcome.Ok && kind == OpKind.Delete) _lastSeen[key] = (null, null);
        if (outcome == OpOutcome.Ok && (kind == OpKind.Write || swapped == true)) _lastSeen[key] = (value, last!.ModRevision);
        if (outcome != OpOutcome.Ok) _lastSeen.Remove(key);
        run.Add(new OpRecord
        {
            Index = handle.Index, Client = id, Kind = kind, Key = key, Value = value, Expected = expected, Invoke = invoke, Complete = run.Clock.Now,
            Outcome = outcome.Value, Swapped = swapped, ModRevision = outcome == OpOutcome.Ok ? last!.ModRevision : null,
            ViewRevision = outcome == OpOutcome.Ok ? last!.ViewRevision : null, Nodes = string.Join(',', nodes), Attempts = nodes.Count,
            Answer = last?.Answer ?? "not sent",
        });
    }

    private (OpOutcome, bool?) Conclude(OpKind kind, string key, string node, Attempt a, bool ambiguous, OperationHandle handle)
    {
        var ok = a.Status is >= 200 and < 300;
        switch (kind)
        {
            case OpKind.Write when ok:
                run.Recorder.CompleteOk(handle);
                return (OpOutcome.Ok, null);
            // 412: the ETag no longer matches (or the key exists, for create-only); 404: an If-Match key was deleted.
            case OpKind.Cas when ok || a.Status is 412 or 404:
                run.Recorder.CompleteCas(handle, ok);
                return (OpOutcome.Ok, ok);
            case OpKind.Delete when ok || a.Status == 404:
                run.Recorder.CompleteOk(handle);
                return (OpOutcome.Ok, null);
        }
        run.Error($"c{id} {kind} {key} on {node}: {a.Answer} {Trim(a.Body)}");
        if (ambiguous) run.Recorder.CompleteUnknown(handle);
        else run.Recorder.CompleteFail(handle);
        return (ambiguous ? OpOutcome.Unknown : OpOutcome.Fail, null);
    }
}

using System.Globalization;
using Cairn.Checking;
using Cairn.FaultTests.Run;

namespace Cairn.FaultTests.Clients;

/// <summary>
/// One client of the workload: ONE operation in flight at a time, each recorded in the shared history. Reads are
/// linearizable GETs; writes are PUTs of a value never written before; cas is a PUT with If-Match on the ETag of the
/// client's last read of the key (or If-None-Match: * when it last saw it absent); deletes are DELETEs. A
/// write/cas/delete carries one request id for all its attempts: an ambiguous answer (timeout, broken connection, 503
/// with mayHaveApplied) is retried on the next node, and if no attempt is conclusive the outcome is Unknown.
/// </summary>
/// <remarks>Each client runs on its own task; it shares only the recorder and the records list (both thread-safe).</remarks>
public sealed partial class WorkloadClient(int id, RunContext run, Random random)
{
    private readonly Dictionary<string, (string? Value, long? Tag)> _lastSeen = [];
    private int _sequence;

    public int Id => id;

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var key = run.Keys[random.Next(run.Keys.Count)];
            var roll = random.Next(100);
            var mix = run.Spec.Mix;
            if (roll < mix.WritePercent) await WriteAsync(key, stop);
            else if (roll < mix.WritePercent + mix.CasPercent) await CasAsync(key, stop);
            else if (roll < mix.WritePercent + mix.CasPercent + mix.DeletePercent) await DeleteAsync(key, stop);
            else await ReadAsync(key);
        }
    }

    /// <summary>A linearizable read on this client's current node; never retried (a failed read has no effect).</summary>
    public async Task ReadAsync(string key)
    {
        var node = run.NodeFor(id, 0);
        var handle = run.Recorder.InvokeRead(id, key);
        var invoke = run.Clock.Now;
        var a = await KvCall.SendAsync(run.Cluster.Client(node), HttpMethod.Get, run.PathOf(key) + "?consistency=linearizable", null, null, null, false,
            run.Spec.RequestTimeout);
        var complete = run.Clock.Now;
        if (a.End == AttemptEnd.Answered && a.Status is 200 or 404)
        {
            var observed = a.Status == 200 ? a.Body : null;
            run.Recorder.CompleteRead(handle, observed);
            _lastSeen[key] = (observed, a.Status == 200 ? a.ModRevision : null);
            run.Add(new OpRecord
            {
                Index = handle.Index, Client = id, Kind = OpKind.Read, Key = key, Invoke = invoke, Complete = complete, Outcome = OpOutcome.Ok,
                Observed = observed, ModRevision = a.Status == 200 ? a.ModRevision : null, ViewRevision = a.ViewRevision,
                Nodes = node, Attempts = 1, Answer = a.Answer,
            });
            return;
        }
        var outcome = a.End is AttemptEnd.Timeout or AttemptEnd.Broken ? OpOutcome.Unknown : OpOutcome.Fail;
        if (outcome == OpOutcome.Unknown) run.Recorder.CompleteUnknown(handle);
        else run.Recorder.CompleteFail(handle);
        if (a.End == AttemptEnd.Answered) run.Error($"c{id} read {key} on {node}: {a.Answer} {Trim(a.Body)}");
        run.Add(new OpRecord
        {
            Index = handle.Index, Client = id, Kind = OpKind.Read, Key = key, Invoke = invoke, Complete = complete, Outcome = outcome,
            Nodes = node, Attempts = 1, Answer = a.Answer,
        });
    }

    private Task WriteAsync(string key, CancellationToken stop)
    {
        var value = NextValue();
        var handle = run.Recorder.InvokeWrite(id, key, value);
        return MutateAsync(handle, OpKind.Write, key, value, null, HttpMethod.Put, null, false, stop);
    }

    private Task CasAsync(string key, CancellationToken stop)
    {
        var value = NextValue();
        if (_lastSeen.TryGetValue(key, out var seen) && seen.Value is not null && seen.Tag is { } tag)
        {
            var handle = run.Recorder.InvokeCas(id, key, seen.Value, value);
            return MutateAsync(handle, OpKind.Cas, key, value, seen.Value, HttpMethod.Put, $"\"{tag.ToString(CultureInfo.InvariantCulture)}\"", false, stop);
        }
        var create = run.Recorder.InvokeCas(id, key, null, value);
        return MutateAsync(create, OpKind.Cas, key, value, null, HttpMethod.Put, null, true, stop);
    }

    private Task DeleteAsync(string key, CancellationToken stop)
    {
        var handle = run.Recorder.InvokeDelete(id, key);
        return MutateAsync(handle, OpKind.Delete, key, null, null, HttpMethod.Delete, null, false, stop);
    }

    private string NextValue() => string.Create(CultureInfo.InvariantCulture, $"{run.Tag}c{id}-{++_sequence}");

    private static string Trim(string? text) => text is null ? "" : text.Length > 300 ? text[..300] + "…" : text;
}

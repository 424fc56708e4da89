using System.Diagnostics;
using Cairn.Store.Codec;

namespace Cairn.Node.Raft;

public sealed partial class RaftDriver
{
    // TEST ONLY (RaftDriverOptions.TestingAckBeforeCommit): the proposal is answered now, with a result computed on the
    // state applied so far; its later apply (if it ever commits) finds the task already completed.
    private void AckBeforeCommit(long index, PendingProposal pending) =>
        pending.Result.TrySetResult(_store.Preview(index, CommandCodec.Decode(pending.Payload.Span)));

    // TEST ONLY (RaftDriverOptions.TestingCrashPoints): a SIGKILL of this process at a named point of the Ready cycle.
    private void Failpoint(string name)
    {
        if (_options.TestingCrashPoints.Count == 0 || !_options.TestingCrashPoints.TryGetValue(name, out var probability)) return;
        if (Random.Shared.NextDouble() >= probability) return;
        Console.Error.WriteLine($"failpoint {name}: crashing now (SIGKILL), as Cairn:Cluster:Testing:CrashPoints asked");
        using var self = Process.GetCurrentProcess();
        self.Kill();
    }
}

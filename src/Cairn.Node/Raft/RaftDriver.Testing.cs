using Cairn.Store.Codec;

namespace Cairn.Node.Raft;

public sealed partial class RaftDriver
{
    // TEST ONLY (RaftDriverOptions.TestingAckBeforeCommit): the proposal is answered now, with a result computed on the
    // state applied so far; its later apply (if it ever commits) finds the task already completed.
    private void AckBeforeCommit(long index, PendingProposal pending) =>
        pending.Result.TrySetResult(_store.Preview(index, CommandCodec.Decode(pending.Payload.Span)));
}

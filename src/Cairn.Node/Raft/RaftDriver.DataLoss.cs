using Cairn.Consensus;

namespace Cairn.Node.Raft;

public sealed partial class RaftDriver
{
    /// <summary>
    /// The operator accepted the loss of a majority's state (<see cref="RaftNode.AcceptDataLoss"/>): this recovering
    /// node may vote for a candidate at least as up to date as the survivor's last entry. False when not recovering.
    /// </summary>
    public Task<bool> AcceptDataLossAsync(Term lastTerm, LogIndex lastIndex)
    {
        var tcs = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_inputs.Writer.TryWrite(new Input.AcceptLoss(lastTerm, lastIndex, tcs)))
            throw new ServiceUnavailableException(UnavailableReason.Overloaded, false, "the node's input queue is full; retry later");
        return tcs.Task;
    }

    // The status is published by the loop (and before it starts), when the persisted log ends where the core's does.
    private Term PersistedTermAt(LogIndex index) =>
        index >= _log.BaseIndex && index <= _log.LastIndex ? _log.TermAt(index) : default;
}

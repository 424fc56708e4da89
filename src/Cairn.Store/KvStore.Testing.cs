using Cairn.Store.State;

namespace Cairn.Store;

public sealed partial class KvStore
{
    /// <summary>
    /// TEST ONLY: the result <paramref name="command"/> would have if it applied at <paramref name="revision"/> on the
    /// current state, without changing anything. Used by the node's AckBeforeCommit testing switch, which answers
    /// writes before they commit so the fault tests can prove they catch it. Safe from the apply thread only.
    /// </summary>
    public CommandResult Preview(long revision, CommandEnvelope command)
    {
        var start = Current;
        if (command.RequestId is { } id && start.Dedup.TryGet(id, out var remembered)) return remembered.Result;
        return CommandExecutor.Execute(new Mutation(start, revision, command.ProposedAtUnixMs), command.Command, Limits);
    }
}

namespace Cairn.Store.State;

internal static partial class CommandExecutor
{
    /// <summary>
    /// Compares read the state before the txn; the chosen branch's operations apply in order to the working
    /// copy (a later operation sees earlier writes). The first write whose precondition fails rolls the whole
    /// branch back.
    /// </summary>
    private static CommandResult ExecuteTxn(Mutation m, Txn t, StoreLimits limits)
    {
        var succeeded = true;
        foreach (var c in t.Compares)
        {
            if (!Holds(m, c))
            {
                succeeded = false;
                break;
            }
        }
        var branch = succeeded ? t.Success : t.Failure;
        var checkpoint = m.Save();
        var results = new List<CommandResult>(branch.Count);
        for (var i = 0; i < branch.Count; i++)
        {
            if (branch[i] is TxnOp.Get get)
            {
                results.Add(Get(m, get.Target));
                continue;
            }
            var write = ((TxnOp.Write)branch[i]).Command;
            var r = ExecuteWrite(m, write, limits);
            results.Add(r);
            if (!r.IsOk && !IsUnconditionalDeleteOfMissing(write, r))
            {
                m.Rollback(checkpoint);
                var which = succeeded ? "success" : "failure";
                return new CommandResult(m.Revision, ResultCode.TxnAborted, Txn: new TxnResult(succeeded, results, i),
                    Message: $"operation {i} of the {which} branch failed ({r.Code}){(r.Message is null ? "" : ": " + r.Message)}; nothing was applied");
            }
        }
        return new CommandResult(m.Revision, ResultCode.Ok, Txn: new TxnResult(succeeded, results));
    }

    /// <summary>
    /// As in etcd, deleting something that is not there is not a failure inside a txn (the result says NotFound);
    /// a delete that must find its target says so with a precondition.
    /// </summary>
    private static bool IsUnconditionalDeleteOfMissing(Command write, CommandResult r) =>
        r.Code == ResultCode.NotFound
        && write is DocDelete { Precondition.Kind: PreconditionKind.None } or KvDelete { Precondition.Kind: PreconditionKind.None };

    private static CommandResult Get(Mutation m, Target target)
    {
        StoredItem? item = target.IsDocument
            ? m.GetDocument(target.Collection!, target.Key) is { } d ? StoredItem.Of(d) : null
            : m.GetLiveKey(target.Key) is { } k ? StoredItem.Of(k) : null;
        return new CommandResult(m.Revision, item is null ? ResultCode.NotFound : ResultCode.Ok, item);
    }

    private static bool Holds(Mutation m, TxnCompare c)
    {
        ReadOnlyMemory<byte> value;
        ItemMeta? meta;
        if (c.Target.IsDocument)
        {
            var d = m.GetDocument(c.Target.Collection!, c.Target.Key);
            (value, meta) = (d?.Json ?? default, d?.Meta);
        }
        else
        {
            var k = m.GetLiveKey(c.Target.Key);
            (value, meta) = (k?.Value ?? default, k?.Meta);
        }
        if (c.Field == CompareField.Value)
        {
            // A missing target never matches a value compare, whatever the operator.
            return meta is not null && Matches(value.Span.SequenceCompareTo(c.Value.Span), c.Op);
        }
        var actual = c.Field switch
        {
            CompareField.Version => meta?.Version ?? 0,
            CompareField.CreateRevision => meta?.CreateRevision ?? 0,
            CompareField.ModRevision => meta?.ModRevision ?? 0,
            CompareField.Exists => meta is null ? 0 : 1,
            _ => throw new InvalidOperationException($"compare field {c.Field} passed validation"),
        };
        return Matches(actual.CompareTo(c.Number), c.Op);
    }

    private static bool Matches(int comparison, CompareOp op) => op switch
    {
        CompareOp.Equal => comparison == 0,
        CompareOp.NotEqual => comparison != 0,
        CompareOp.Less => comparison < 0,
        CompareOp.Greater => comparison > 0,
        _ => throw new InvalidOperationException($"compare operator {op} passed validation"),
    };
}

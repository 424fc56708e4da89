namespace Cairn.Store.State;

/// <summary>
/// What the dedup window keeps of a result. A write's result carries the written item, whose value may be
/// up to a MiB; remembering it for every recent request id would pin old values in memory and in every
/// snapshot. A retry needs the outcome and the metadata (revision, ETag, version), so the window keeps
/// items without their bytes, except a txn's Get results, which are the answer itself.
/// </summary>
internal static class ResultSlimming
{
    public static CommandResult ForDedup(Command command, CommandResult r)
    {
        var slim = r with { Current = WithoutValue(r.Current) };
        if (r.Txn is { } txn && command is Txn t)
        {
            var branch = txn.Succeeded ? t.Success : t.Failure;
            var results = new CommandResult[txn.Results.Count];
            for (var i = 0; i < results.Length; i++)
            {
                var op = txn.Results[i];
                results[i] = branch[i] is TxnOp.Get ? op : op with { Current = WithoutValue(op.Current) };
            }
            slim = slim with { Txn = txn with { Results = results } };
        }
        return slim;
    }

    private static StoredItem? WithoutValue(StoredItem? item) => item switch
    {
        { Document: { } d } => StoredItem.Of(d with { Json = ReadOnlyMemory<byte>.Empty }),
        { Key: { } k } => StoredItem.Of(k with { Value = ReadOnlyMemory<byte>.Empty }),
        _ => item,
    };
}

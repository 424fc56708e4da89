namespace Cairn.Store.Codec;

public static partial class CommandCodec
{
    // Txn: [compares: count, each [target][u8 field][u8 op][zigzag number][bytes value]]
    //      [success: count, ops][failure: count, ops]; op: [u8 0 = get][target] | [u8 1 = write][command]
    // Target: [u8 0 = raw key | 1 = document][collection if document][key].

    private const byte OpGet = 0;
    private const byte OpWrite = 1;

    private static void WriteTxn(WireWriter w, Txn t)
    {
        w.Varint((ulong)t.Compares.Count);
        foreach (var c in t.Compares)
        {
            WriteTarget(w, c.Target);
            w.Byte((byte)c.Field);
            w.Byte((byte)c.Op);
            w.Long(c.Number);
            w.Bytes(c.Value.Span);
        }
        WriteOps(w, t.Success);
        WriteOps(w, t.Failure);
    }

    private static Txn ReadTxn(ref WireReader r)
    {
        var compares = new TxnCompare[r.Count(bytesEach: 5)];
        for (var i = 0; i < compares.Length; i++)
        {
            var target = ReadTarget(ref r);
            var field = r.Byte();
            if (field > (byte)CompareField.Exists) throw new InvalidDataException($"unknown compare field {field}");
            var op = r.Byte();
            if (op > (byte)CompareOp.Greater) throw new InvalidDataException($"unknown compare operator {op}");
            compares[i] = new TxnCompare(target, (CompareField)field, (CompareOp)op, r.Long(), r.Bytes());
        }
        var success = ReadOps(ref r);
        var failure = ReadOps(ref r);
        return new Txn(compares, success, failure);
    }

    private static void WriteOps(WireWriter w, IReadOnlyList<TxnOp> ops)
    {
        w.Varint((ulong)ops.Count);
        foreach (var op in ops)
        {
            switch (op)
            {
                case TxnOp.Get g:
                    w.Byte(OpGet);
                    WriteTarget(w, g.Target);
                    break;
                case TxnOp.Write write:
                    w.Byte(OpWrite);
                    WriteCommand(w, write.Command, nested: true);
                    break;
                default:
                    throw new ArgumentException($"unknown txn operation {op?.GetType().Name ?? "null"}", nameof(ops));
            }
        }
    }

    private static TxnOp[] ReadOps(ref WireReader r)
    {
        var ops = new TxnOp[r.Count(bytesEach: 3)];
        for (var i = 0; i < ops.Length; i++)
        {
            ops[i] = r.Byte() switch
            {
                OpGet => new TxnOp.Get(ReadTarget(ref r)),
                OpWrite => new TxnOp.Write(ReadCommand(ref r, nested: true)),
                var tag => throw new InvalidDataException($"unknown txn operation tag {tag}"),
            };
        }
        return ops;
    }

    private static void WriteTarget(WireWriter w, Target t)
    {
        w.Bool(t.IsDocument);
        if (t.Collection is { } c) w.String(c);
        w.String(t.Key);
    }

    private static Target ReadTarget(ref WireReader r)
    {
        var isDocument = r.Bool();
        var collection = isDocument ? r.String() : null;
        return new Target(collection, r.String());
    }
}

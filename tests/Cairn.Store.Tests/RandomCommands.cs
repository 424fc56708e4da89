using System.Text;

namespace Cairn.Store.Tests;

/// <summary>
/// Seeded generators of commands. <see cref="Wild"/> spans every field's range (for codecs); the store tests use a
/// small key space instead so that commands collide, conflict and hit the dedup window often.
/// </summary>
internal static class RandomCommands
{
    private static readonly string[] Texts = ["", "a", "users", "é", "日本語", "emoji🙂", "with space", new string('x', 300)];
    private static readonly long[] Longs = [0, 1, -1, 127, 128, 16_383, 16_384, long.MaxValue, long.MinValue, 1_700_000_000_000];

    public static CommandEnvelope Wild(Random rng) =>
        new(rng.Next(3) == 0 ? null : WildText(rng), WildCommand(rng, nested: false), WildLong(rng));

    public static Command WildCommand(Random rng, bool nested)
    {
        var kind = nested ? rng.Next(5) : rng.Next(7);
        return kind switch
        {
            0 => new DocPut(WildText(rng), WildText(rng), WildBytes(rng), WildPrecondition(rng)),
            1 => new DocMergePatch(WildText(rng), WildText(rng), WildBytes(rng), WildPrecondition(rng)),
            2 => new DocDelete(WildText(rng), WildText(rng), WildPrecondition(rng)),
            3 => new KvPut(WildText(rng), WildBytes(rng), rng.Next(2) == 0 ? null : WildLong(rng), WildPrecondition(rng)),
            4 => new KvDelete(WildText(rng), WildPrecondition(rng)),
            5 => new Expire(WildLong(rng), Enumerable.Range(0, rng.Next(4)).Select(_ => WildText(rng)).ToList()),
            _ => new Txn(
                Enumerable.Range(0, rng.Next(4)).Select(_ => new TxnCompare(WildTarget(rng), (CompareField)rng.Next(5), (CompareOp)rng.Next(4), WildLong(rng), WildBytes(rng))).ToList(),
                WildOps(rng),
                WildOps(rng)),
        };
    }

    private static List<TxnOp> WildOps(Random rng) =>
        Enumerable.Range(0, rng.Next(4))
            .Select(_ => rng.Next(3) == 0 ? (TxnOp)new TxnOp.Get(WildTarget(rng)) : new TxnOp.Write(WildCommand(rng, nested: true)))
            .ToList();

    private static Target WildTarget(Random rng) => rng.Next(2) == 0 ? Target.RawKey(WildText(rng)) : Target.Doc(WildText(rng), WildText(rng));

    private static Precondition WildPrecondition(Random rng) => new((PreconditionKind)rng.Next(4), rng.Next(2) == 0 ? 0 : WildLong(rng));

    public static string WildText(Random rng) => rng.Next(4) == 0
        ? new string(Enumerable.Range(0, rng.Next(20)).Select(_ => (char)rng.Next(0x20, 0xD7FF)).ToArray())
        : Texts[rng.Next(Texts.Length)];

    public static long WildLong(Random rng) => rng.Next(3) == 0 ? rng.NextInt64(long.MinValue, long.MaxValue) : Longs[rng.Next(Longs.Length)];

    public static byte[] WildBytes(Random rng)
    {
        var bytes = new byte[rng.Next(4) == 0 ? rng.Next(2000) : rng.Next(12)];
        rng.NextBytes(bytes);
        return bytes;
    }

    /// <summary>A canonical text of a command with every field and byte, independent of the codec under test.</summary>
    public static string Describe(CommandEnvelope e) => $"[{e.RequestId ?? "<null>"}|{e.ProposedAtUnixMs}] {Describe(e.Command)}";

    public static string Describe(Command c) => c switch
    {
        DocPut p => $"DocPut({p.Collection},{p.Id},{Hex(p.Json)},{p.Precondition})",
        DocMergePatch p => $"DocMergePatch({p.Collection},{p.Id},{Hex(p.Patch)},{p.Precondition})",
        DocDelete d => $"DocDelete({d.Collection},{d.Id},{d.Precondition})",
        KvPut k => $"KvPut({k.Key},{Hex(k.Value)},{k.ExpiresAtUnixMs?.ToString() ?? "-"},{k.Precondition})",
        KvDelete k => $"KvDelete({k.Key},{k.Precondition})",
        Expire x => $"Expire({x.NowUnixMs},[{string.Join(",", x.Keys)}])",
        Txn t => $"Txn([{string.Join(";", t.Compares.Select(c => $"{c.Target}.{c.Field}{c.Op}{c.Number}/{Hex(c.Value)}"))}]" +
            $"?[{string.Join(";", t.Success.Select(Describe))}]:[{string.Join(";", t.Failure.Select(Describe))}])",
        _ => throw new InvalidOperationException(c.GetType().Name),
    };

    private static string Describe(TxnOp op) => op switch
    {
        TxnOp.Get g => $"get {g.Target}",
        TxnOp.Write w => Describe(w.Command),
        _ => throw new InvalidOperationException(),
    };

    public static string Describe(CommandResult r, bool withMessage = true)
    {
        var sb = new StringBuilder();
        sb.Append($"{r.Revision}:{r.Code} cur={Describe(r.Current)} prev={r.Previous?.ToString() ?? "-"}");
        if (withMessage) sb.Append($" msg={r.Message ?? "-"}");
        if (r.Txn is { } t)
        {
            sb.Append($" txn(succeeded={t.Succeeded}, failed={t.FailedOpIndex?.ToString() ?? "-"}, [");
            foreach (var op in t.Results) sb.Append(Describe(op, withMessage)).Append("; ");
            sb.Append("])");
        }
        return sb.ToString();
    }

    public static string Describe(StoredItem? item) => item switch
    {
        null => "-",
        { Document: { } d } => $"doc {d.Collection}/{d.Id} {Hex(d.Json)} {d.Meta}",
        { Key: { } k } => $"key {k.Key} {Hex(k.Value)} exp={k.ExpiresAtUnixMs?.ToString() ?? "-"} {k.Meta}",
        _ => "?",
    };

    public static string Hex(ReadOnlyMemory<byte> b) => Convert.ToHexString(b.Span);
}

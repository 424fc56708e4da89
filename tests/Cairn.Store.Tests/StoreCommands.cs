namespace Cairn.Store.Tests;

/// <summary>Random commands over a small key space, so that they collide, conflict, expire and get retried.</summary>
internal static class StoreCommands
{
    public const int ValueBytesMax = 256;
    private static readonly string[] Collections = ["a", "b", "c"];
    private static readonly string[] Ids = ["1", "2", "3", "é"];
    private static readonly string[] Keys = ["k1", "k2", "k3", "p/1", "p/2", "p/3"];
    private static readonly string[] Docs = ["{}", """{"a":1}""", """{"a":{"b":2}}""", """{"x":"y","a":null}""", """{"list":[1,2],"s":"日本"}"""];
    private static readonly string[] Patches = ["""{"a":2}""", """{"a":null}""", """{"a":{"c":3}}""", """{"z":[true]}""", "[1]", """{"a":{"b":null}}""", "{}"];
    public static readonly long[] Instants = [0, 100, 150, 250, 350];
    private static readonly long[] Expiries = [100, 200, 300];

    public static Command Next(Random rng, long revision) => rng.Next(20) switch
    {
        < 14 => Single(rng, revision),
        < 15 => new Expire(Instants[rng.Next(Instants.Length)], Enumerable.Range(0, rng.Next(4)).Select(_ => Key(rng)).ToList()),
        _ => Txn(rng, revision),
    };

    private static Command Single(Random rng, long revision) => rng.Next(14) switch
    {
        < 4 => new DocPut(Collection(rng), Id(rng), Doc(rng), Pre(rng, revision)),
        < 6 => new DocMergePatch(Collection(rng), Id(rng), StoreHarness.Utf8(Patches[rng.Next(Patches.Length)]), Pre(rng, revision)),
        < 8 => new DocDelete(Collection(rng), Id(rng), Pre(rng, revision)),
        < 12 => new KvPut(Key(rng), Value(rng), rng.Next(2) == 0 ? null : Expiries[rng.Next(Expiries.Length)], Pre(rng, revision)),
        _ => new KvDelete(Key(rng), Pre(rng, revision)),
    };

    private static Txn Txn(Random rng, long revision)
    {
        var compares = Enumerable.Range(0, rng.Next(3)).Select(_ =>
        {
            var field = (CompareField)rng.Next(5);
            var op = field == CompareField.Exists ? (CompareOp)rng.Next(2) : (CompareOp)rng.Next(4);
            var number = field == CompareField.Exists ? rng.Next(2) : rng.Next((int)revision + 2);
            return new TxnCompare(Target(rng), field, op, number, rng.Next(2) == 0 ? Value(rng) : Doc(rng));
        }).ToList();
        return new Txn(compares, Ops(rng, revision), Ops(rng, revision));
    }

    private static List<TxnOp> Ops(Random rng, long revision) =>
        Enumerable.Range(0, rng.Next(5)).Select(_ => rng.Next(4) == 0
            ? (TxnOp)new TxnOp.Get(Target(rng))
            : new TxnOp.Write(rng.Next(60) == 0 ? new Expire(1, ["k1"]) : Single(rng, revision))).ToList();

    private static Target Target(Random rng) => rng.Next(2) == 0 ? Cairn.Store.Target.RawKey(Key(rng)) : Cairn.Store.Target.Doc(Collection(rng), Id(rng));

    // About one command in 40 breaks a limit or a name rule.
    private static string Collection(Random rng) => rng.Next(40) == 0 ? "Bad" : Collections[rng.Next(Collections.Length)];
    private static string Id(Random rng) => rng.Next(80) == 0 ? "" : Ids[rng.Next(Ids.Length)];
    private static string Key(Random rng) => rng.Next(80) == 0 ? "" : Keys[rng.Next(Keys.Length)];
    private static byte[] Doc(Random rng) => StoreHarness.Utf8(rng.Next(40) == 0 ? $$"""{"big":"{{new string('b', ValueBytesMax)}}"}""" : Docs[rng.Next(Docs.Length)]);
    private static byte[] Value(Random rng) => rng.Next(40) == 0 ? new byte[ValueBytesMax + 1] : StoreHarness.Utf8($"v{rng.Next(3)}");

    private static Precondition Pre(Random rng, long revision) => rng.Next(5) switch
    {
        0 => Precondition.MustNotExist,
        1 => Precondition.MustExist,
        2 => Precondition.RevisionIs(rng.NextInt64(1, revision + 2)),
        _ => Precondition.None,
    };
}

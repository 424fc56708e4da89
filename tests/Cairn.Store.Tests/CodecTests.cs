using Cairn.Store.Codec;
using FsCheck;
using FsCheck.Fluent;

namespace Cairn.Store.Tests;

public sealed class CodecTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(2000);

    private static Arbitrary<CommandEnvelope> Envelopes() =>
        Arb.From(Gen.Choose(0, int.MaxValue).Select(seed => RandomCommands.Wild(new Random(seed))));

    [Fact]
    public void EveryCommandKind_RoundTrips()
    {
        Check.One(Runs, Prop.ForAll(Envelopes(), envelope =>
        {
            var bytes = CommandCodec.Encode(envelope);
            var decoded = CommandCodec.Decode(bytes);
            Assert.Equal(RandomCommands.Describe(envelope), RandomCommands.Describe(decoded));
            Assert.Equal(bytes, CommandCodec.Encode(decoded));
        }));
    }

    [Fact]
    public void EncodingIntoABufferWriter_MatchesTheArrayForm()
    {
        var rng = new Random(11);
        using var writer = new PooledBufferWriter(1);
        for (var i = 0; i < 200; i++)
        {
            var e = RandomCommands.Wild(rng);
            writer.Clear();
            CommandCodec.Encode(e, writer);
            Assert.Equal(CommandCodec.Encode(e), writer.ToArray());
        }
    }

    [Fact]
    public void Results_RoundTrip_ForEveryCommandKindAndOutcome()
    {
        Check.One(Runs, Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            // Results produced by a real store for random (mostly colliding) commands, plus their dedup forms.
            var rng = new Random(seed);
            var h = new StoreHarness(new StoreLimits { ValueBytesMax = 256 });
            for (var i = 0; i < 8; i++)
            {
                var result = h.Apply(StoreCommands.Next(rng, h.Revision), requestId: rng.Next(3) == 0 ? $"r{rng.Next(4)}" : null, nowUnixMs: rng.Next(3) * 100);
                var bytes = CommandCodec.EncodeResult(result);
                Assert.Equal(RandomCommands.Describe(result), RandomCommands.Describe(CommandCodec.DecodeResult(bytes)));
            }
        }));
    }

    [Fact]
    public void RandomBytes_NeverThrowAnythingButInvalidData()
    {
        var rng = new Random(5);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[rng.Next(64)];
            rng.NextBytes(bytes);
            if (bytes.Length > 0 && rng.Next(2) == 0) bytes[0] = CommandCodec.FormatVersion;
            DecodeOrInvalid(bytes);
        }
    }

    [Fact]
    public void MutatedValidEncodings_NeverThrowAnythingButInvalidData()
    {
        var rng = new Random(6);
        for (var i = 0; i < 5_000; i++)
        {
            var valid = CommandCodec.Encode(RandomCommands.Wild(rng));
            var bytes = Mutate(rng, valid);
            DecodeOrInvalid(bytes);
        }
        var h = new StoreHarness();
        for (var i = 0; i < 2_000; i++)
        {
            var result = h.Apply(StoreCommands.Next(rng, h.Revision));
            var bytes = Mutate(rng, CommandCodec.EncodeResult(result));
            try
            {
                CommandCodec.DecodeResult(bytes);
            }
            catch (InvalidDataException)
            {
            }
        }
    }

    [Fact]
    public void TruncatedOrExtendedInput_IsRejected()
    {
        var rng = new Random(8);
        for (var i = 0; i < 300; i++)
        {
            var valid = CommandCodec.Encode(RandomCommands.Wild(rng));
            for (var cut = 0; cut < valid.Length; cut += 1 + (valid.Length / 50))
                Assert.Throws<InvalidDataException>(() => CommandCodec.Decode(valid.AsSpan(0, cut)));
            Assert.Throws<InvalidDataException>(() => CommandCodec.Decode([.. valid, 0]));
        }
    }

    [Fact]
    public void HugeDeclaredCounts_AreRejectedBeforeAllocating()
    {
        // Expire with a count of 2^62 keys and nothing after it.
        byte[] bytes = [CommandCodec.FormatVersion, 0, 0, 6, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40];
        var e = Assert.Throws<InvalidDataException>(() => CommandCodec.Decode(bytes));
        Assert.Contains("count", e.Message);
    }

    [Fact]
    public void NestedTxnOrExpire_CannotBeEncodedOrDecodedAsATxnOperation()
    {
        var nested = new CommandEnvelope(null, new Txn([], [new TxnOp.Write(new Expire(1, []))], []));
        Assert.Throws<ArgumentException>(() => CommandCodec.Encode(nested));
        // Hand-built: txn, no compares, one success op = write of kind 6 (Expire).
        byte[] bytes = [CommandCodec.FormatVersion, 0, 0, 7, 0, 1, 1, 6, 2, 0, 0];
        Assert.Throws<InvalidDataException>(() => CommandCodec.Decode(bytes));
    }

    [Fact]
    public void IllFormedStrings_AreRefusedAtEncoding()
    {
        Assert.Throws<ArgumentException>(() => CommandCodec.Encode(new CommandEnvelope(null, new KvDelete("bad\udc00", default))));
    }

    private static byte[] Mutate(Random rng, byte[] valid)
    {
        var bytes = (byte[])valid.Clone();
        switch (rng.Next(3))
        {
            case 0:
                for (var j = 0; j < 1 + rng.Next(3) && bytes.Length > 0; j++) bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
                return bytes;
            case 1:
                return bytes[..rng.Next(bytes.Length + 1)];
            default:
                var at = rng.Next(bytes.Length + 1);
                return [.. bytes[..at], (byte)rng.Next(256), .. bytes[at..]];
        }
    }

    private static void DecodeOrInvalid(byte[] bytes)
    {
        try
        {
            CommandCodec.Decode(bytes);
        }
        catch (InvalidDataException)
        {
        }
        try
        {
            CommandCodec.DecodeResult(bytes);
        }
        catch (InvalidDataException)
        {
        }
    }
}

using System.Buffers;
using System.Diagnostics;
using Cairn.Transport.Wire;
using FsCheck;
using FsCheck.Fluent;

namespace Cairn.Transport.Tests.Wire;

/// <summary>
/// Seeded fuzzing for a bounded time: random bytes and mutations of valid frames must either decode into a frame that
/// encodes again or fail with <see cref="FrameFormatException"/>; no other exception, and allocation bounded by input.
/// </summary>
public sealed class FuzzTests
{
    private const int Seed = 20_251_122;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    private static int _decoded;

    private static void DecodeMustNotMisbehave(byte[] bytes, string what)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            var buffer = new ReadOnlySequence<byte>(bytes);
            while (FrameCodec.TryReadFrame(ref buffer, WireLimits.FrameBytesMaxDefault, out var frame))
            {
                _decoded++;
                Assert.True(FrameCodec.GetFrameBytes(frame) > 0, $"{what}: a decoded frame must encode again");
            }
        }
        catch (FrameFormatException)
        {
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name}: {e.Message} on {Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 64)))}");
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= (16L * bytes.Length) + (64 * 1024), $"{what}: {allocated} bytes allocated for {bytes.Length} input bytes");
    }

    [Fact]
    public void RandomBytesAndMutatedFrames_NeverCrashTheDecoder_WithinTheTimeBudget()
    {
        var random = new Random(Seed);
        var valid = Gen.Sample(WireGen.Frame, 200, 20).Select(WireBytes.Encode).Concat(Samples.EveryFrameType().Select(WireBytes.Encode)).ToArray();
        var clock = Stopwatch.StartNew();
        var iterations = 0;
        _decoded = 0;
        while (clock.Elapsed < Budget)
        {
            iterations++;
            var mode = random.Next(4);
            byte[] input;
            if (mode == 0)
            {
                // Pure noise behind a plausible header, so the payload decoders (not only the header check) see it.
                var payload = new byte[random.Next(0, 512)];
                random.NextBytes(payload);
                input = WireBytes.RawFrame((uint)payload.Length + 1, (byte)random.Next(1, 8), payload);
            }
            else
            {
                input = (byte[])valid[random.Next(valid.Length)].Clone();
                var flips = 1 + random.Next(4);
                for (var k = 0; k < flips; k++)
                {
                    var at = mode == 1 ? random.Next(input.Length) : 5 + random.Next(Math.Max(1, input.Length - 5));
                    if (at < input.Length) input[at] = (byte)random.Next(256);
                }
                if (mode == 3 && input.Length > 6)
                {
                    // Cut or extend the payload and fix the length field, so the frame is complete but the content is not.
                    var newLength = random.Next(1, input.Length + 16);
                    var resized = new byte[newLength + 4];
                    input.AsSpan(4, Math.Min(input.Length - 4, newLength)).CopyTo(resized.AsSpan(4));
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(resized, (uint)newLength);
                    input = resized;
                }
            }
            DecodeMustNotMisbehave(input, $"seed {Seed} iteration {iterations} mode {mode}");
        }
        Assert.True(iterations > 1000, $"only {iterations} fuzz iterations ran");
        Assert.True(_decoded > 0, "some mutated frames should still decode");
    }
}

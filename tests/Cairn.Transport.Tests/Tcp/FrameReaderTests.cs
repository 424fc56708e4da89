using System.IO.Pipelines;
using Cairn.Transport.Tcp;
using Cairn.Transport.Tests.Wire;
using Cairn.Transport.Wire;

namespace Cairn.Transport.Tests.Tcp;

public sealed class FrameReaderTests
{
    /// <summary>A pipe that pauses its writer at 16 KiB, far below the frames written into it (written in small pieces,
    /// as a socket transport does, so the writer really waits on the reader).</summary>
    private static Pipe SmallPipe() => new(new PipeOptions(pauseWriterThreshold: 16 * 1024, resumeWriterThreshold: 8 * 1024,
        useSynchronizationContext: false));

    [Fact]
    public async Task FramesLargerThanThePipesPauseThreshold_AreRead_WhileTheWriterIsHeldBack()
    {
        var pipe = SmallPipe();
        var big = new ForwardProposalFrame(1, Enumerable.Range(0, 200_000).Select(i => (byte)i).ToArray());
        var small = new ForwardResultFrame(2, 0, "ok"u8.ToArray());
        var writing = Task.Run(async () =>
        {
            var bytes = new Frame[] { small, big, small, big }.SelectMany(WireBytes.Encode).ToArray();
            for (var at = 0; at < bytes.Length; at += 4096)
                await pipe.Writer.WriteAsync(bytes.AsMemory(at, Math.Min(4096, bytes.Length - at)));
            await pipe.Writer.CompleteAsync();
        });

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = new List<Frame>();
        while (await FrameReader.ReadAsync(pipe.Reader, WireLimits.FrameBytesMaxDefault, timeout.Token) is { } frame) read.Add(frame);
        await writing;

        Assert.Equal(4, read.Count);
        Assert.True(WireEquality.Same(small, read[0]) && WireEquality.Same(big, read[1]) && WireEquality.Same(small, read[2]) && WireEquality.Same(big, read[3]));
    }

    [Fact]
    public async Task ConnectionEndingInsideAFrame_IsAFormatError_AndBetweenFramesIsAnEnd()
    {
        foreach (var payloadBytes in new[] { 10, 100_000 })
        {
            var pipe = SmallPipe();
            var bytes = WireBytes.Encode(new ForwardProposalFrame(1, new byte[payloadBytes]));
            var writing = Task.Run(async () =>
            {
                await pipe.Writer.WriteAsync(bytes.AsMemory(0, bytes.Length - 1));
                await pipe.Writer.CompleteAsync();
            });
            await Assert.ThrowsAsync<FrameFormatException>(async () => await FrameReader.ReadAsync(pipe.Reader, WireLimits.FrameBytesMaxDefault, default));
            await writing;
        }

        var clean = SmallPipe();
        await clean.Writer.CompleteAsync();
        Assert.Null(await FrameReader.ReadAsync(clean.Reader, WireLimits.FrameBytesMaxDefault, default));
    }
}

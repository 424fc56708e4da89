using System.Buffers;
using Cairn.Consensus;
using Cairn.Transport.Wire;

namespace Cairn.Transport.Tests.Wire;

/// <summary>Helpers to encode frames to arrays and decode from contiguous or fragmented sequences.</summary>
internal static class WireBytes
{
    public static byte[] Encode(Frame frame)
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameCodec.Write(writer, frame);
        return writer.WrittenSpan.ToArray();
    }

    public static byte[] Encode(Message message)
    {
        var writer = new ArrayBufferWriter<byte>();
        MessageCodec.Write(writer, message);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes exactly one frame that must fill <paramref name="bytes"/>.</summary>
    public static Frame DecodeOne(ReadOnlySequence<byte> bytes, int frameBytesMax = WireLimits.FrameBytesMaxDefault)
    {
        var buffer = bytes;
        Assert.True(FrameCodec.TryReadFrame(ref buffer, frameBytesMax, out var frame), "the frame should be complete");
        Assert.Equal(0, buffer.Length);
        return frame;
    }

    public static Frame DecodeOne(byte[] bytes, int frameBytesMax = WireLimits.FrameBytesMaxDefault) =>
        DecodeOne(new ReadOnlySequence<byte>(bytes), frameBytesMax);

    /// <summary>The same bytes split into segments of <paramref name="segmentBytes"/>, to exercise reads across segment edges.</summary>
    public static ReadOnlySequence<byte> Fragmented(byte[] bytes, int segmentBytes)
    {
        if (bytes.Length == 0) return ReadOnlySequence<byte>.Empty;
        Segment? first = null;
        Segment? last = null;
        for (var at = 0; at < bytes.Length; at += segmentBytes)
        {
            var chunk = bytes.AsMemory(at, Math.Min(segmentBytes, bytes.Length - at));
            if (first is null) first = last = new Segment(chunk, 0);
            else last = last!.Append(chunk);
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    /// <summary>Frame header with an arbitrary length field and type byte, followed by <paramref name="payload"/>.</summary>
    public static byte[] RawFrame(uint length, byte type, ReadOnlySpan<byte> payload)
    {
        var bytes = new byte[5 + payload.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes, length);
        bytes[4] = type;
        payload.CopyTo(bytes.AsSpan(5));
        return bytes;
    }

    /// <summary>A valid frame whose length field claims <paramref name="payloadBytes"/> of the real payload, cut there.</summary>
    public static byte[] Shortened(byte[] frame, int payloadBytes) =>
        RawFrame((uint)(1 + payloadBytes), frame[4], frame.AsSpan(5, payloadBytes));
}

using System.Buffers;
using System.IO.Pipelines;
using Cairn.Transport.Wire;

namespace Cairn.Transport.Tcp;

/// <summary>Reads whole frames from a <see cref="PipeReader"/>, consuming exactly each frame's bytes.</summary>
internal static class FrameReader
{
    /// <summary>
    /// Frames above this are copied out of the pipe as their bytes arrive instead of waiting for the whole frame in
    /// the pipe: a pipe pauses its writer at a threshold (64 KiB by default, 1 MiB in Kestrel), so waiting for a larger
    /// frame without consuming anything would never end.
    /// </summary>
    internal const int StreamedFrameBytesMin = 32 * 1024;

    /// <summary>
    /// The next frame; null when the connection ended cleanly between frames. Throws <see cref="FrameFormatException"/>
    /// for malformed input or a connection that ends inside a frame.
    /// </summary>
    public static async ValueTask<Frame?> ReadAsync(PipeReader input, int frameBytesMax, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            if (result.IsCanceled) throw new OperationCanceledException("frame read cancelled");
            var buffer = result.Buffer;
            int length;
            FrameType type;
            bool header;
            try
            {
                header = FrameCodec.TryReadHeader(buffer, frameBytesMax, out length, out type);
            }
            catch
            {
                input.AdvanceTo(buffer.Start);
                throw;
            }
            if (header && buffer.Length - 4 >= length)
            {
                try
                {
                    return FrameCodec.DecodePayload(type, buffer.Slice(WireLimits.FrameHeaderBytes, length - 1));
                }
                finally
                {
                    input.AdvanceTo(buffer.GetPosition(4 + (long)length));
                }
            }
            if (header && length > StreamedFrameBytesMin) return await ReadStreamedAsync(input, result, length, type, cancellationToken);
            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                if (buffer.Length == 0) return null;
                throw new FrameFormatException($"connection closed {buffer.Length} bytes into a frame");
            }
        }
    }

    /// <summary>Copies a large frame's payload into one pooled buffer (≤ the frame limit, already checked) as it arrives.</summary>
    private static async ValueTask<Frame> ReadStreamedAsync(PipeReader input, ReadResult first, int length, FrameType type,
        CancellationToken cancellationToken)
    {
        var payloadLength = length - 1;
        var payload = ArrayPool<byte>.Shared.Rent(payloadLength);
        try
        {
            var available = first.Buffer.Slice(WireLimits.FrameHeaderBytes);
            var filled = (int)Math.Min(available.Length, payloadLength);
            available.Slice(0, filled).CopyTo(payload);
            input.AdvanceTo(available.GetPosition(filled));
            var completed = first.IsCompleted;
            while (filled < payloadLength)
            {
                if (completed) throw new FrameFormatException($"connection closed {filled} bytes into a {length}-byte frame");
                var result = await input.ReadAsync(cancellationToken);
                if (result.IsCanceled) throw new OperationCanceledException("frame read cancelled");
                var n = (int)Math.Min(result.Buffer.Length, payloadLength - filled);
                result.Buffer.Slice(0, n).CopyTo(payload.AsSpan(filled));
                filled += n;
                input.AdvanceTo(result.Buffer.GetPosition(n));
                completed = result.IsCompleted;
            }
            // Decoding copies every blob out, so the pooled buffer can go back afterwards.
            return FrameCodec.DecodePayload(type, new ReadOnlySequence<byte>(payload, 0, payloadLength));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload);
        }
    }
}

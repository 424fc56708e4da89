using System.IO.Pipelines;
using Cairn.Transport.Wire;

namespace Cairn.Transport.Tcp;

/// <summary>Reads whole frames from a <see cref="PipeReader"/>, consuming exactly each frame's bytes.</summary>
/// <remarks>
/// An incomplete frame is left unconsumed but marked examined. Pipe back-pressure counts examined bytes, so a frame
/// larger than the pipe's pause threshold (1 MiB in Kestrel) still arrives; the header check bounds how much can
/// accumulate to <c>frameBytesMax</c> before anything is decoded.
/// </remarks>
internal static class FrameReader
{
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
            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                if (buffer.Length == 0) return null;
                throw new FrameFormatException($"connection closed {buffer.Length} bytes into a frame");
            }
        }
    }
}

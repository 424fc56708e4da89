using System.Buffers;
using System.Text;

namespace Cairn.Transport.Wire;

/// <summary>
/// Little-endian field readers over a <see cref="SequenceReader{T}"/>. Every read checks the bytes left first and
/// throws <see cref="FrameFormatException"/> when the input is short, so no decoder can index past its input.
/// </summary>
internal static class WireReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte U8(ref SequenceReader<byte> reader, string field)
    {
        if (!reader.TryRead(out var value)) throw Truncated(field);
        return value;
    }

    /// <summary>A strict boolean: only 0 and 1 are valid, so corrupt input is not silently read as true.</summary>
    public static bool Bool(ref SequenceReader<byte> reader, string field) => U8(ref reader, field) switch
    {
        0 => false,
        1 => true,
        var b => throw new FrameFormatException($"{field}: {b} is not a boolean"),
    };

    public static ushort U16(ref SequenceReader<byte> reader, string field)
    {
        if (!reader.TryReadLittleEndian(out short value)) throw Truncated(field);
        return (ushort)value;
    }

    public static uint U32(ref SequenceReader<byte> reader, string field)
    {
        if (!reader.TryReadLittleEndian(out int value)) throw Truncated(field);
        return (uint)value;
    }

    public static ulong U64(ref SequenceReader<byte> reader, string field)
    {
        if (!reader.TryReadLittleEndian(out long value)) throw Truncated(field);
        return (ulong)value;
    }

    public static long I64(ref SequenceReader<byte> reader, string field)
    {
        if (!reader.TryReadLittleEndian(out long value)) throw Truncated(field);
        return value;
    }

    /// <summary>A count that is about to size an array: bounded by a limit and by the bytes that could hold that many items.</summary>
    public static int Count(ref SequenceReader<byte> reader, string field, int max, int minItemBytes)
    {
        var count = U32(ref reader, field);
        if (count > (uint)max) throw new FrameFormatException($"{field}: {count} is over the limit {max}");
        if (count * (long)minItemBytes > reader.Remaining)
            throw new FrameFormatException($"{field}: {count} items cannot fit in the {reader.Remaining} bytes left");
        return (int)count;
    }

    /// <summary>[u32 length][bytes], copied out (the pipe's buffer is recycled after the frame); allocation ≤ bytes present.</summary>
    public static ReadOnlyMemory<byte> Blob(ref SequenceReader<byte> reader, string field)
    {
        var length = U32(ref reader, field);
        if (length > reader.Remaining) throw new FrameFormatException($"{field}: length {length} runs past the frame");
        if (length == 0) return ReadOnlyMemory<byte>.Empty;
        var bytes = new byte[length];
        reader.TryCopyTo(bytes);
        reader.Advance(length);
        return bytes;
    }

    /// <summary>[u16 length][UTF-8], length bounded by <paramref name="maxBytes"/>; invalid UTF-8 is rejected.</summary>
    public static string Utf8(ref SequenceReader<byte> reader, string field, int maxBytes)
    {
        var length = U16(ref reader, field);
        if (length > maxBytes) throw new FrameFormatException($"{field}: {length} bytes is over the limit {maxBytes}");
        if (length > reader.Remaining) throw new FrameFormatException($"{field}: length {length} runs past the frame");
        if (length == 0) return "";
        Span<byte> bytes = stackalloc byte[length];
        reader.TryCopyTo(bytes);
        reader.Advance(length);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new FrameFormatException($"{field}: not valid UTF-8", e);
        }
    }

    public static FrameFormatException Truncated(string field) => new($"truncated at {field}");
}

using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Cairn.Store.Codec;

/// <summary>Little-endian primitives over an <see cref="IBufferWriter{T}"/>: LEB128 varints, zigzag longs, length-prefixed bytes and UTF-8.</summary>
internal readonly ref struct WireWriter(IBufferWriter<byte> output)
{
    /// <summary>Strings that are not well-formed UTF-16 throw instead of being replaced, so every replica decodes exactly what was proposed.</summary>
    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public void Byte(byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    public void Bool(bool value) => Byte(value ? (byte)1 : (byte)0);

    public void Varint(ulong value)
    {
        var span = output.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        output.Advance(n);
    }

    /// <summary>Zigzag: small magnitudes of either sign take few bytes.</summary>
    public void Long(long value) => Varint((ulong)((value << 1) ^ (value >> 63)));

    public void Fixed64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(8), value);
        output.Advance(8);
    }

    public void Bytes(ReadOnlySpan<byte> value)
    {
        Varint((ulong)value.Length);
        if (value.IsEmpty) return;
        value.CopyTo(output.GetSpan(value.Length));
        output.Advance(value.Length);
    }

    public void String(string value)
    {
        var length = Utf8Length(value);
        Varint((ulong)length);
        if (length == 0) return;
        var written = StrictUtf8.GetBytes(value, output.GetSpan(length));
        output.Advance(written);
    }

    /// <summary>Length + 1, so that 0 means null.</summary>
    public void NullableString(string? value)
    {
        if (value is null)
        {
            Varint(0);
            return;
        }
        var length = Utf8Length(value);
        Varint((ulong)length + 1);
        var written = StrictUtf8.GetBytes(value, output.GetSpan(Math.Max(length, 1)));
        output.Advance(written);
    }

    private static int Utf8Length(string value)
    {
        try
        {
            return StrictUtf8.GetByteCount(value);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException("a string to encode is not well-formed Unicode (it has a lone surrogate)", nameof(value), e);
        }
    }
}

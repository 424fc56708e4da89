using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Cairn.Transport.Wire;

/// <summary>
/// Little-endian field writer over an <see cref="IBufferWriter{T}"/>. It asks the output for a span, fills it, and
/// advances only in <see cref="Flush"/> (or when the span runs out), so small fields cost no interface call each.
/// Callers must call <see cref="Flush"/> before the output is used by anyone else.
/// </summary>
internal ref struct WireWriter(IBufferWriter<byte> output)
{
    /// <summary>Span size asked for when a field does not fit: large enough that typical messages take one span.</summary>
    private const int SpanBytesHint = 4096;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly IBufferWriter<byte> _output = output;
    private Span<byte> _span;
    private int _used;
    private long _committed;

    /// <summary>Bytes written so far, flushed or not.</summary>
    public readonly long Written => _committed + _used;

    public void Flush()
    {
        if (_used > 0)
        {
            _output.Advance(_used);
            _committed += _used;
        }
        _used = 0;
        _span = default;
    }

    public void U8(byte value) => Take(1)[0] = value;

    public void Bool(bool value) => Take(1)[0] = value ? (byte)1 : (byte)0;

    public void U16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Take(2), value);

    public void U32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Take(4), value);

    public void U64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Take(8), value);

    public void I64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Take(8), value);

    /// <summary>[u32 length][bytes].</summary>
    public void Blob(ReadOnlySpan<byte> data)
    {
        U32((uint)data.Length);
        Raw(data);
    }

    /// <summary>[u16 length][UTF-8 bytes]; the caller has checked the length with <see cref="Utf8Bytes"/>.</summary>
    public void Utf8(string value, int byteCount)
    {
        U16((ushort)byteCount);
        if (byteCount == 0) return;
        var written = StrictUtf8.GetBytes(value, Take(byteCount));
        Invariant.Check(written == byteCount, "string length changed between measure and write");
    }

    /// <summary>UTF-8 length of a string, or -1 when it is not valid Unicode (lone surrogates).</summary>
    public static int Utf8Bytes(string value)
    {
        try
        {
            return StrictUtf8.GetByteCount(value);
        }
        catch (EncoderFallbackException)
        {
            return -1;
        }
    }

    /// <summary>Copies bytes in as many spans as the output offers, so a large payload needs no large contiguous buffer.</summary>
    public void Raw(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_span.Length == _used)
            {
                Flush();
                _span = _output.GetSpan(Math.Min(data.Length, SpanBytesHint));
            }
            var n = Math.Min(data.Length, _span.Length - _used);
            data[..n].CopyTo(_span[_used..]);
            _used += n;
            data = data[n..];
        }
    }

    private Span<byte> Take(int count)
    {
        if (_span.Length - _used < count)
        {
            Flush();
            _span = _output.GetSpan(Math.Max(count, SpanBytesHint));
            Invariant.Check(_span.Length >= count, "the buffer writer returned less than asked");
        }
        var s = _span.Slice(_used, count);
        _used += count;
        return s;
    }
}

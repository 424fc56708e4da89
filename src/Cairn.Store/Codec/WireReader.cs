using System.Text;

namespace Cairn.Store.Codec;

/// <summary>
/// Reads what <see cref="WireWriter"/> wrote. Every malformation (truncation, overlong varint, a length past the end,
/// invalid UTF-8, an unknown tag) throws <see cref="InvalidDataException"/> and nothing else.
/// </summary>
internal ref struct WireReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly int Remaining => _data.Length - _position;

    public byte Byte()
    {
        if (_position >= _data.Length) throw Truncated();
        return _data[_position++];
    }

    public bool Bool() => Byte() switch
    {
        0 => false,
        1 => true,
        var b => throw new InvalidDataException($"a boolean byte is 0 or 1, not {b}"),
    };

    public ulong Varint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = Byte();
            if (shift == 63 && b > 1) throw new InvalidDataException("a varint overflows 64 bits");
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
        throw new InvalidDataException("a varint is longer than 10 bytes");
    }

    public long Long()
    {
        var v = Varint();
        return (long)(v >> 1) ^ -(long)(v & 1);
    }

    /// <summary>A non-negative long (revisions, versions, indexes).</summary>
    public long NonNegative(string what)
    {
        var v = Long();
        return v >= 0 ? v : throw new InvalidDataException($"{what} is negative ({v})");
    }

    /// <summary>A count of following items, each at least <paramref name="bytesEach"/> bytes: never more than the input could hold.</summary>
    public int Count(int bytesEach = 1)
    {
        var n = Varint();
        if (n > (ulong)(Remaining / Math.Max(1, bytesEach))) throw new InvalidDataException($"a count of {n} exceeds the {Remaining} bytes left");
        return (int)n;
    }

    public byte[] Bytes()
    {
        var span = Span(Length());
        return span.ToArray();
    }

    public string String() => Decode(Span(Length()));

    public string? NullableString()
    {
        var n = Varint();
        if (n == 0) return null;
        if (n - 1 > (ulong)Remaining) throw Truncated();
        return Decode(Span((int)(n - 1)));
    }

    public readonly void End()
    {
        if (Remaining != 0) throw new InvalidDataException($"{Remaining} unexpected bytes after the end");
    }

    private int Length()
    {
        var n = Varint();
        return n <= (ulong)Remaining ? (int)n : throw Truncated();
    }

    private ReadOnlySpan<byte> Span(int length)
    {
        if (length > Remaining) throw Truncated();
        var span = _data.Slice(_position, length);
        _position += length;
        return span;
    }

    private static string Decode(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return WireWriter.StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException("a string is not valid UTF-8", e);
        }
    }

    private static InvalidDataException Truncated() => new("the input ends in the middle of a value");
}

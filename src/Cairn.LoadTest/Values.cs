using System.Buffers.Text;
using System.Text;

namespace Cairn.LoadTest;

/// <summary>
/// The values a run writes: <c>{"w":"TAG","p":"xxx…"}</c>, padded to the requested size, where
/// TAG = <c>{run}.{worker}.{sequence}</c> is unique to each write. The bytes are a pure function
/// of (tag, size), so a reader of a value can rebuild what was written from its tag alone, and the
/// tag is what the history checker compares. The JSON is already minimal, so the server stores
/// these bytes unchanged.
/// </summary>
public static class Values
{
    private static ReadOnlySpan<byte> Head => "{\"w\":\""u8;
    private static ReadOnlySpan<byte> Middle => "\",\"p\":\""u8;
    private static ReadOnlySpan<byte> Tail => "\"}"u8;

    /// <summary>Bytes the value takes beyond its tag when not padded: <c>{"w":""}</c>.</summary>
    public const int UnpaddedOverheadBytes = 8;

    /// <summary>Bytes of a padded value beyond tag and padding: <c>{"w":"","p":""}</c>.</summary>
    public const int PaddedOverheadBytes = 15;

    /// <summary>Longest tag: a run id, two 20-digit numbers and dots.</summary>
    public const int TagBytesMax = 64;

    /// <summary>Room a writer needs for a value of <paramref name="size"/> bytes with any tag.</summary>
    public static int BufferBytes(int size) => Math.Max(size, PaddedOverheadBytes + TagBytesMax);

    /// <summary>Writes the value with this tag into <paramref name="destination"/>; returns its length.</summary>
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> tag, int size)
    {
        Invariant.Check(tag.Length <= TagBytesMax && tag.IndexOf((byte)'"') < 0 && tag.IndexOf((byte)'\\') < 0, "a tag is short and needs no escaping");
        var pad = size - PaddedOverheadBytes - tag.Length;
        var length = pad > 0 ? size : UnpaddedOverheadBytes + tag.Length;
        Invariant.Check(destination.Length >= length, "the value buffer is large enough");
        var at = Put(destination, 0, Head);
        at = Put(destination, at, tag);
        if (pad > 0)
        {
            at = Put(destination, at, Middle);
            destination.Slice(at, pad).Fill((byte)'x');
            at += pad;
        }
        at = Put(destination, at, Tail);
        Invariant.Check(at == length);
        return length;
    }

    /// <summary>Builds <c>{run}.{worker}.{sequence}</c> into <paramref name="destination"/>; returns its length.</summary>
    public static int FormatTag(Span<byte> destination, ReadOnlySpan<byte> run, int worker, long sequence)
    {
        var at = Put(destination, 0, run);
        destination[at++] = (byte)'.';
        Invariant.Check(Utf8Formatter.TryFormat(worker, destination[at..], out var n));
        at += n;
        destination[at++] = (byte)'.';
        Invariant.Check(Utf8Formatter.TryFormat(sequence, destination[at..], out n));
        return at + n;
    }

    /// <summary>The tag of a value written by a run, or the whole body as text if it is not one (null for none).</summary>
    public static string? TagOf(ReadOnlySpan<byte> body)
    {
        if (body.StartsWith(Head))
        {
            var rest = body[Head.Length..];
            var end = rest.IndexOf((byte)'"');
            if (end >= 0) return Encoding.UTF8.GetString(rest[..end]);
        }
        return Encoding.UTF8.GetString(body);
    }

    /// <summary>True when <paramref name="body"/> is exactly the value written with <paramref name="tag"/>.</summary>
    public static bool Matches(ReadOnlySpan<byte> body, string tag, int size)
    {
        Span<byte> tagBytes = stackalloc byte[TagBytesMax];
        if (!Encoding.UTF8.TryGetBytes(tag, tagBytes, out var tagLength) || tagLength > TagBytesMax) return false;
        var expected = new byte[BufferBytes(size)];
        var length = Write(expected, tagBytes[..tagLength], size);
        return body.SequenceEqual(expected.AsSpan(0, length));
    }

    private static int Put(Span<byte> destination, int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination[at..]);
        return at + bytes.Length;
    }
}

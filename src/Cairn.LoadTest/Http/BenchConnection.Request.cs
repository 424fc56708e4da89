using System.Buffers.Text;
using System.Text;

namespace Cairn.LoadTest;

/// <summary>Encoding a request into the send buffer.</summary>
public sealed partial class BenchConnection
{
    private int EncodeRequest(BenchMethod method, string target, ReadOnlySpan<byte> body, string? contentType, long ifMatch, bool ifNoneMatchAny)
    {
        var need = 128 + _hostHeader.Length + target.Length + (contentType?.Length ?? 0) + body.Length;
        if (_send.Length < need) _send = new byte[Math.Max(need, _send.Length * 2)];
        var span = _send.AsSpan();
        var at = Put(span, 0, method switch { BenchMethod.Get => "GET "u8, BenchMethod.Put => "PUT "u8, _ => "POST "u8 });
        at += Encoding.ASCII.GetBytes(target, span[at..]);
        at = Put(span, at, " HTTP/1.1\r\n"u8);
        at = Put(span, at, _hostHeader);
        if (method != BenchMethod.Get)
        {
            if (contentType is not null)
            {
                at = Put(span, at, "Content-Type: "u8);
                at += Encoding.ASCII.GetBytes(contentType, span[at..]);
                at = Put(span, at, "\r\n"u8);
            }
            at = Put(span, at, "Content-Length: "u8);
            at = Number(span, at, body.Length);
            at = Put(span, at, "\r\n"u8);
        }
        if (ifMatch > 0)
        {
            at = Put(span, at, "If-Match: \""u8);
            at = Number(span, at, ifMatch);
            at = Put(span, at, "\"\r\n"u8);
        }
        if (ifNoneMatchAny) at = Put(span, at, "If-None-Match: *\r\n"u8);
        at = Put(span, at, "\r\n"u8);
        if (method != BenchMethod.Get) at = Put(span, at, body);
        return at;
    }

    private static int Put(Span<byte> span, int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(span[at..]);
        return at + bytes.Length;
    }

    private static int Number(Span<byte> span, int at, long value)
    {
        Invariant.Check(Utf8Formatter.TryFormat(value, span[at..], out var written));
        return at + written;
    }
}

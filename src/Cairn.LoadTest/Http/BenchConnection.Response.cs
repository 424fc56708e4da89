using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Cairn.LoadTest;

/// <summary>Reading and parsing an answer: status line, the few headers that matter, the body.</summary>
public sealed partial class BenchConnection
{
    /// <summary>A chunk-size or trailer line longer than this is a protocol error.</summary>
    public const int LineBytesMax = 4096;

    private const string ProblemPrefix = "urn:cairn:problem:";

    private readonly record struct Head(int Status, long ContentLength, bool Chunked, long Revision, bool Close);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(int Status, long Revision, bool Close)> ReadResponseAsync(CancellationToken ct)
    {
        while (true)
        {
            _bodyLength = 0;
            int end;
            while ((end = Buffered.IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (Buffered.Length >= HeaderBytesMax) throw new ResponseException("InvalidResponse (headers too long)");
                await FillAsync(ct);
            }
            var head = ParseHead(_recv.AsSpan(_recvStart, end));
            _recvStart += end + 4;
            if (head.Status is >= 100 and < 200) continue; // an interim answer (100 Continue): the real one follows

            var close = head.Close;
            if (head.Chunked) await ReadChunkedAsync(ct);
            else if (head.ContentLength >= 0) await ReadBodyAsync(head.ContentLength, ct);
            else if (head.Status is not (204 or 304))
            {
                // No length: the body runs to the end of the connection.
                while (await FillAsync(ct, endAllowed: true)) { }
                AppendBody(Buffered);
                close = true;
            }
            return (head.Status, head.Revision, close);
        }
    }

    private ReadOnlySpan<byte> Buffered => _recv.AsSpan(_recvStart, _recvEnd - _recvStart);

    /// <summary>Reads more bytes into the receive buffer; false at the end of the stream when allowed.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> FillAsync(CancellationToken ct, bool endAllowed = false)
    {
        if (_recvStart == _recvEnd)
        {
            _recvStart = _recvEnd = 0;
        }
        else if (_recvEnd == _recv.Length)
        {
            // Headers and lines are bounded by their limits, so growing here is bounded too.
            if (_recvStart > 0)
            {
                Buffer.BlockCopy(_recv, _recvStart, _recv, 0, _recvEnd - _recvStart);
                _recvEnd -= _recvStart;
                _recvStart = 0;
            }
            else
            {
                Array.Resize(ref _recv, _recv.Length * 2);
            }
        }
        var read = await _socket!.ReceiveAsync(_recv.AsMemory(_recvEnd), System.Net.Sockets.SocketFlags.None, ct);
        if (read == 0) return endAllowed ? false : throw new ResponseException("ResponseEnded");
        _recvEnd += read;
        return true;
    }

    private async ValueTask ReadBodyAsync(long length, CancellationToken ct)
    {
        while (length > 0)
        {
            if (_recvStart == _recvEnd) await FillAsync(ct);
            var take = (int)Math.Min(length, _recvEnd - _recvStart);
            AppendBody(_recv.AsSpan(_recvStart, take));
            _recvStart += take;
            length -= take;
        }
    }

    private async ValueTask ReadChunkedAsync(CancellationToken ct)
    {
        while (true)
        {
            var line = await LineAsync(ct);
            var size = ChunkSize(_recv.AsSpan(_recvStart, line));
            _recvStart += line + 2;
            if (size == 0) break;
            await ReadBodyAsync(size, ct);
            if (await LineAsync(ct) != 0) throw new ResponseException("InvalidResponse (chunk not followed by CRLF)");
            _recvStart += 2;
        }
        // Trailers, up to the empty line.
        for (var line = await LineAsync(ct); ; line = await LineAsync(ct))
        {
            _recvStart += line + 2;
            if (line == 0) return;
        }
    }

    /// <summary>Waits until a whole CRLF-terminated line is buffered; returns its length without the CRLF.</summary>
    private async ValueTask<int> LineAsync(CancellationToken ct)
    {
        int at;
        while ((at = Buffered.IndexOf("\r\n"u8)) < 0)
        {
            if (Buffered.Length > LineBytesMax) throw new ResponseException("InvalidResponse (line too long)");
            await FillAsync(ct);
        }
        return at;
    }

    private void AppendBody(ReadOnlySpan<byte> bytes)
    {
        if (_bodyLength + bytes.Length > _body.Length && _body.Length < ResponseBytesMax)
            Array.Resize(ref _body, (int)Math.Min(ResponseBytesMax, Math.Max(_body.Length * 2L, _bodyLength + (long)bytes.Length)));
        // Past ResponseBytesMax the rest is read and dropped, so the connection stays usable.
        var fits = Math.Min(bytes.Length, _body.Length - _bodyLength);
        bytes[..fits].CopyTo(_body.AsSpan(_bodyLength));
        _bodyLength += fits;
    }

    private static long ChunkSize(ReadOnlySpan<byte> line)
    {
        var semicolon = line.IndexOf((byte)';');
        if (semicolon >= 0) line = line[..semicolon];
        line = line.Trim((byte)' ');
        if (line.IsEmpty || line.Length > 15 || !Utf8Parser.TryParse(line, out long size, out var consumed, 'X') || consumed != line.Length)
            throw new ResponseException("InvalidResponse (chunk size)");
        return size;
    }

    private static Head ParseHead(ReadOnlySpan<byte> head)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var status = lineEnd < 0 ? head : head[..lineEnd];
        if (status.Length < 12 || !status.StartsWith("HTTP/1."u8) || status[8] != (byte)' '
            || !Utf8Parser.TryParse(status.Slice(9, 3), out int code, out var consumed) || consumed != 3)
            throw new ResponseException("InvalidResponse (status line)");
        var close = status[7] == (byte)'0'; // HTTP/1.0 closes unless told otherwise
        long contentLength = -1, revision = 0;
        var chunked = false;
        var rest = lineEnd < 0 ? [] : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0) throw new ResponseException("InvalidResponse (header line)");
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out contentLength, out consumed) || consumed != value.Length || contentLength < 0)
                    throw new ResponseException("InvalidResponse (Content-Length)");
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                chunked = value.Length >= 7 && Ascii.EqualsIgnoreCase(value[^7..], "chunked"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "ETag"u8))
            {
                revision = ParseEtag(value);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                if (Ascii.EqualsIgnoreCase(value, "close"u8)) close = true;
                else if (Ascii.EqualsIgnoreCase(value, "keep-alive"u8)) close = false;
            }
        }
        return new Head(code, chunked ? -1 : contentLength, chunked, revision, close);
    }

    /// <summary>The revision in a strong ETag (<c>"42"</c>), or 0 when it is not one.</summary>
    public static long ParseEtag(ReadOnlySpan<byte> value)
    {
        value = value.Trim(" \t"u8);
        if (value.Length < 3 || value[0] != (byte)'"' || value[^1] != (byte)'"') return 0;
        var digits = value[1..^1];
        return Utf8Parser.TryParse(digits, out long revision, out var consumed) && consumed == digits.Length && revision > 0 ? revision : 0;
    }

    /// <summary>The suffix of a problem+json <c>type</c> (<c>not-found</c>), or null when the body is not a problem.</summary>
    public static string? ProblemType(ReadOnlySpan<byte> body)
    {
        var type = StringProperty(body, "type"u8);
        if (type is null) return null;
        return type.StartsWith(ProblemPrefix, StringComparison.Ordinal) ? type[ProblemPrefix.Length..] : type;
    }

    /// <summary>The <c>id</c> of a write answer (a POSTed document's generated id).</summary>
    public static string? IdOf(ReadOnlySpan<byte> body) => StringProperty(body, "id"u8);

    /// <summary>A top-level string property of a JSON object, or null (also when the body is not JSON).</summary>
    private static string? StringProperty(ReadOnlySpan<byte> body, ReadOnlySpan<byte> name)
    {
        if (body.IsEmpty || body[0] != (byte)'{') return null;
        try
        {
            var reader = new Utf8JsonReader(body);
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var match = reader.ValueTextEquals(name);
                reader.Read();
                if (match && reader.TokenType == JsonTokenType.String) return reader.GetString();
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON: the status alone names the error.
        }
        return null;
    }
}

using System.Buffers;
using System.Security.Cryptography;
using Cairn.Store.Codec;

namespace Cairn.Store.Snapshot;

/// <summary>Buffers snapshot bytes into the stream and hashes them on the way.</summary>
internal sealed class SnapshotSink(Stream output) : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _buffer = new byte[SnapshotFormat.BufferBytes];
    private readonly ArrayBufferWriter<byte> _record = new(256);
    private int _used;

    /// <summary>Appends raw bytes (the header).</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_used == _buffer.Length) Flush();
            var n = Math.Min(bytes.Length, _buffer.Length - _used);
            bytes[..n].CopyTo(_buffer.AsSpan(_used));
            _used += n;
            bytes = bytes[n..];
        }
    }

    /// <summary>Encodes one record with <paramref name="encode"/> and appends it with its length.</summary>
    public void Record<TState>(TState state, RecordEncoder<TState> encode)
    {
        _record.ResetWrittenCount();
        encode(new WireWriter(_record), state);
        Span<byte> length = stackalloc byte[10];
        var n = 0;
        var v = (uint)_record.WrittenCount;
        while (v >= 0x80)
        {
            length[n++] = (byte)(v | 0x80);
            v >>= 7;
        }
        length[n++] = (byte)v;
        Write(length[..n]);
        Write(_record.WrittenSpan);
    }

    /// <summary>Flushes, appends the hash of everything written, and returns it.</summary>
    public byte[] Finish()
    {
        Flush();
        var hash = _hash.GetHashAndReset();
        output.Write(hash);
        return hash;
    }

    private void Flush()
    {
        if (_used == 0) return;
        _hash.AppendData(_buffer, 0, _used);
        output.Write(_buffer, 0, _used);
        _used = 0;
    }

    public void Dispose() => _hash.Dispose();
}

internal delegate void RecordEncoder<in TState>(WireWriter writer, TState state);

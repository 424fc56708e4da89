using System.Security.Cryptography;

namespace Cairn.Store.Snapshot;

/// <summary>Reads a snapshot stream record by record, hashing what it reads; every shortfall is an <see cref="InvalidDataException"/>.</summary>
internal sealed class SnapshotSource(Stream input) : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _buffer = new byte[SnapshotFormat.BufferBytes];
    private byte[] _record = new byte[256];
    private int _start;
    private int _end;

    /// <summary>Fills <paramref name="destination"/> from the stream (hashed).</summary>
    public void ReadExactly(Span<byte> destination, string what)
    {
        while (!destination.IsEmpty)
        {
            if (_start == _end && !Refill()) throw new InvalidDataException($"the snapshot is truncated (in {what})");
            var n = Math.Min(destination.Length, _end - _start);
            _buffer.AsSpan(_start, n).CopyTo(destination);
            _hash.AppendData(_buffer, _start, n);
            _start += n;
            destination = destination[n..];
        }
    }

    /// <summary>The next record's payload; valid until the next call.</summary>
    public ReadOnlySpan<byte> Record(string what)
    {
        var length = ReadLength(what);
        // Grow with the data actually read, so that a corrupt length cannot make us allocate a gigabyte up front.
        var read = 0;
        while (read < length)
        {
            var chunk = Math.Min(length - read, SnapshotFormat.BufferBytes);
            if (_record.Length < read + chunk) Array.Resize(ref _record, Math.Min(Math.Max(_record.Length * 2, read + chunk), length));
            ReadExactly(_record.AsSpan(read, chunk), what);
            read += chunk;
        }
        return _record.AsSpan(0, length);
    }

    /// <summary>Reads the trailer and compares it with the hash of everything read before it.</summary>
    public void VerifyTrailer()
    {
        var expected = _hash.GetHashAndReset();
        Span<byte> actual = stackalloc byte[SnapshotFormat.HashBytes];
        for (var i = 0; i < actual.Length; i++)
        {
            if (_start == _end && !Refill()) throw new InvalidDataException("the snapshot is truncated (in its checksum)");
            actual[i] = _buffer[_start++];
        }
        if (!actual.SequenceEqual(expected)) throw new InvalidDataException("the snapshot checksum does not match its content (corrupt snapshot)");
    }

    private int ReadLength(string what)
    {
        Span<byte> one = stackalloc byte[1];
        ulong value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            ReadExactly(one, what);
            value |= (ulong)(one[0] & 0x7f) << shift;
            if (one[0] < 0x80)
            {
                return value <= SnapshotFormat.RecordBytesMax
                    ? (int)value
                    : throw new InvalidDataException($"a snapshot record ({what}) claims {value} bytes; the limit is {SnapshotFormat.RecordBytesMax}");
            }
        }
        throw new InvalidDataException($"a snapshot record length ({what}) is malformed");
    }

    private bool Refill()
    {
        _start = 0;
        _end = input.Read(_buffer, 0, _buffer.Length);
        return _end > 0;
    }

    public void Dispose() => _hash.Dispose();
}

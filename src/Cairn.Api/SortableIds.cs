using System.Security.Cryptography;

namespace Cairn.Api;

/// <summary>
/// Generated document ids: 26 characters of lowercase Crockford base32 — 48 bits of Unix
/// milliseconds then 80 random bits — so ids sort by creation time (ULID layout). Within one
/// millisecond the random part is incremented, so ids from one node are strictly increasing.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class SortableIds(TimeProvider time)
{
    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
    private readonly Lock _gate = new();
    private long _lastMs = -1;
    private UInt128 _lastRandom;

    public string Next()
    {
        long ms;
        UInt128 random;
        lock (_gate)
        {
            ms = Math.Max(time.GetUtcNow().ToUnixTimeMilliseconds(), _lastMs);
            if (ms == _lastMs && _lastRandom < (UInt128.One << 80) - 1)
            {
                random = _lastRandom + 1;
            }
            else
            {
                if (ms == _lastMs) ms++; // random part exhausted within a millisecond: borrow the next one
                Span<byte> bytes = stackalloc byte[16];
                RandomNumberGenerator.Fill(bytes[..10]);
                bytes[10..].Clear();
                random = System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(bytes);
            }
            _lastMs = ms;
            _lastRandom = random;
        }
        var value = ((UInt128)(ulong)ms << 80) | random;
        return string.Create(26, value, static (span, v) =>
        {
            for (var i = span.Length - 1; i >= 0; i--)
            {
                span[i] = Alphabet[(int)(v & 31)];
                v >>= 5;
            }
        });
    }
}

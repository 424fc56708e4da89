namespace Cairn.Simulation;

/// <summary>
/// A running 64-bit hash of every event of a run (deliveries, faults, client operations, applies). Two runs of one
/// seed must end with the same value. Hand-rolled (FNV-1a style with a final mix) because <see cref="HashCode"/> is
/// randomized per process and so cannot compare runs across processes.
/// </summary>
internal sealed class TraceHash
{
    private const ulong Prime = 0x100000001b3UL;
    private ulong _state = 0xcbf29ce484222325UL;

    public ulong Value => Mix(_state);

    public long Events { get; private set; }

    public void Add(ulong a, ulong b = 0, ulong c = 0, ulong d = 0)
    {
        Events++;
        _state = (_state ^ a) * Prime;
        _state = (_state ^ b) * Prime;
        _state = (_state ^ c) * Prime;
        _state = (_state ^ d) * Prime;
    }

    public void Add(string text)
    {
        Events++;
        foreach (var ch in text) _state = (_state ^ ch) * Prime;
    }

    /// <summary>FNV-1a of a payload: the identity of a log entry's data in the apply map.</summary>
    public static ulong Of(ReadOnlySpan<byte> data)
    {
        var h = 0xcbf29ce484222325UL;
        foreach (var b in data) h = (h ^ b) * Prime;
        return Mix(h ^ (ulong)data.Length);
    }

    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        return x;
    }
}

namespace Cairn.LoadTest;

/// <summary>A verification failure: what was expected of a key and what was read.</summary>
public sealed record VerifyMismatch(string Key, string Problem);

/// <summary>
/// --verify's memory: per key, the acknowledged write with the highest revision (its tag), and
/// whether any write to it had an unknown outcome; plus the mismatches found so far (the first
/// <see cref="ExamplesMax"/> kept in full, all counted).
/// </summary>
/// <remarks>Thread-safe: workers report acknowledgements and mismatches concurrently.</remarks>
public sealed class WriteTracker(int keyCount)
{
    public const int ExamplesMax = 20;

    private readonly AckedWrite?[] _latest = new AckedWrite?[keyCount];
    private readonly bool[] _unknown = new bool[keyCount];
    private readonly Lock _lock = new();
    private readonly List<VerifyMismatch> _examples = [];
    private long _mismatches;
    private long _checked;
    private long _unverifiable;

    /// <summary>An acknowledged write: its revision and the tag of its value.</summary>
    public sealed record AckedWrite(long Revision, string Tag);

    public long Mismatches => Volatile.Read(ref _mismatches);

    /// <summary>Reads compared against an acknowledged write.</summary>
    public long Checked => Volatile.Read(ref _checked);

    /// <summary>Keys the final sweep could not judge (an unknown-outcome write, or the read failed).</summary>
    public long Unverifiable => Volatile.Read(ref _unverifiable);

    public IReadOnlyList<VerifyMismatch> Examples
    {
        get { lock (_lock) return [.. _examples]; }
    }

    public void Acknowledged(int key, long revision, string tag)
    {
        var write = new AckedWrite(revision, tag);
        while (true)
        {
            var current = Volatile.Read(ref _latest[key]);
            if (current is not null && current.Revision >= revision) return;
            if (Interlocked.CompareExchange(ref _latest[key], write, current) == current) return;
        }
    }

    public void OutcomeUnknown(int key) => Volatile.Write(ref _unknown[key], true);

    public AckedWrite? Latest(int key) => Volatile.Read(ref _latest[key]);

    public bool HadUnknownWrite(int key) => Volatile.Read(ref _unknown[key]);

    public void Compared() => Interlocked.Increment(ref _checked);

    public void CouldNotVerify() => Interlocked.Increment(ref _unverifiable);

    public void Mismatch(string key, string problem)
    {
        Interlocked.Increment(ref _mismatches);
        lock (_lock)
        {
            if (_examples.Count < ExamplesMax) _examples.Add(new VerifyMismatch(key, problem));
        }
    }
}

using System.Text;

namespace Cairn.LoadTest;

/// <summary>
/// One connection's loop: takes the next slot from the scheduler, runs one logical operation
/// (a CAS is a GET plus PUTs), records its latency from the slot's due time, and repeats.
/// It is also one client of the recorded history: exactly one operation in flight.
/// </summary>
/// <remarks>Single-threaded by construction: one async loop, awaited by the runner.</remarks>
public sealed partial class BenchWorker : IDisposable
{
    private readonly RunContext _run;
    private readonly BenchOptions _options;
    private readonly BenchConnection _connection;
    private readonly KeyChooser _keys;
    private readonly byte[] _value;
    private readonly byte[] _tag = new byte[Values.TagBytesMax];
    private long _sequence;

    public BenchWorker(RunContext run, int id, int seed, CancellationToken cancel)
    {
        _run = run;
        _options = run.Options;
        Id = id;
        Server = id % _options.Servers.Count;
        _connection = new BenchConnection(_options.Servers[Server], _options.RequestTimeout, cancel);
        _keys = new KeyChooser(_options.KeyCount, _options.Distribution, run.Zipf, seed);
        _value = new byte[Values.BufferBytes(_options.ValueBytes)];
    }

    public int Id { get; }

    /// <summary>Index of the server this worker talks to.</summary>
    public int Server { get; }

    /// <summary>The counters of the current phase (replaced by <see cref="RunPhaseAsync"/>).</summary>
    public WorkerStats Stats { get; private set; } = new();

    /// <summary>Runs the measured (or warm-up) workload until the scheduler says stop.</summary>
    public async Task RunPhaseAsync(Scheduler scheduler, WorkerStats stats)
    {
        Stats = stats;
        while (await scheduler.NextAsync() is { } due)
        {
            var sent = Clock.Now;
            var op = Choose();
            var ok = op switch
            {
                BenchOp.Get => await GetAsync(_keys.Next()),
                BenchOp.Put => await PutAsync(_keys.Next(), readBack: true),
                BenchOp.Post => await PostAsync(),
                _ => await CasAsync(_keys.Next()),
            };
            if (ok is null) return; // cancelled: the run is being torn down
            // From the earlier of due time and send time: an early send never shortens the figure.
            stats.Record(op, Clock.ToNanos(Clock.Now - Math.Min(due, sent)));
        }
    }

    /// <summary>Writes every key the shared counter hands out, once (the preload phase).</summary>
    public async Task PreloadAsync(Func<int> nextKey, WorkerStats stats)
    {
        Stats = stats;
        for (var key = nextKey(); key >= 0; key = nextKey())
        {
            var started = Clock.Now;
            if (await PutAsync(key, readBack: false) is null) return;
            stats.Record(BenchOp.Put, Clock.ToNanos(Clock.Now - started));
        }
    }

    private BenchOp Choose() => _options.Workload switch
    {
        Workload.Get => BenchOp.Get,
        Workload.Put => BenchOp.Put,
        Workload.Post => BenchOp.Post,
        Workload.Cas => BenchOp.Cas,
        _ => _keys.NextDouble() < _options.ReadRatio ? BenchOp.Get : BenchOp.Put,
    };

    /// <summary>Fills the value buffer with a new unique value; returns its length and (if needed) its tag.</summary>
    private (int Length, string? Tag) NextValue()
    {
        var tagLength = Values.FormatTag(_tag, _run.RunTag, Id, ++_sequence);
        var length = Values.Write(_value, _tag.AsSpan(0, tagLength), _options.ValueBytes);
        return (length, _run.NeedsTags ? Encoding.ASCII.GetString(_tag, 0, tagLength) : null);
    }

    private void Failed(BenchOp op, in HttpOutcome outcome) => Stats.Error(op, outcome.ErrorKind());

    private void Record(HistoryEntry? entry)
    {
        if (entry is not null) _run.History?.Add(Id, entry);
    }

    public void Dispose() => _connection.Dispose();
}

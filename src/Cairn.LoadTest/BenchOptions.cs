namespace Cairn.LoadTest;

/// <summary>What each operation of the run does.</summary>
public enum Workload
{
    /// <summary>GET of a key (keys are preloaded first unless told otherwise).</summary>
    Get,

    /// <summary>PUT of a key with a new value (create or replace).</summary>
    Put,

    /// <summary>POST to the collection: a new document with a server-generated id (documents only).</summary>
    Post,

    /// <summary>GET or PUT, chosen per operation by <see cref="BenchOptions.ReadRatio"/>.</summary>
    Mixed,

    /// <summary>Compare-and-set: GET, then PUT with If-Match on the revision read; retried on 412.</summary>
    Cas,
}

/// <summary>Which API the keys live in.</summary>
public enum KeyTarget
{
    /// <summary>JSON documents: <c>/v1/{collection}/{key}</c>.</summary>
    Documents,

    /// <summary>Raw keys: <c>/v1/_kv/{prefix}{key}</c>.</summary>
    Keys,
}

public enum KeyDistribution
{
    Uniform,

    /// <summary>Zipfian over the key indexes (key 0 hottest), YCSB-style with <see cref="BenchOptions.ZipfTheta"/>.</summary>
    Zipfian,
}

/// <summary>Everything a run needs. Validated once (<see cref="Validate"/>) before anything is sent.</summary>
public sealed record BenchOptions
{
    public const int ConnectionsMax = 1024;
    public const int KeyCountMax = 1_000_000;
    public const int ValueBytesMax = 1 << 20;
    public const double RateMaxPerSecond = 10_000_000;
    public const int CasRetriesMaxLimit = 1000;

    /// <summary>A history bigger than this is not recorded (the checker's memory and time grow with it).</summary>
    public const int CheckOperationsMax = 2_000_000;

    public static readonly TimeSpan DurationMax = TimeSpan.FromHours(24);

    /// <summary>Default of <see cref="CheckTimeMax"/>.</summary>
    public static readonly TimeSpan CheckTimeMaxDefault = TimeSpan.FromMinutes(2);

    /// <summary>One or more nodes; worker <c>i</c> talks to <c>Servers[i % Servers.Count]</c>.</summary>
    public required IReadOnlyList<Uri> Servers { get; init; }

    /// <summary>Concurrent connections, each with at most one request in flight.</summary>
    public int Connections { get; init; } = 64;

    /// <summary>Measured operations to issue (null: run for <see cref="Duration"/>).</summary>
    public long? Requests { get; init; }

    /// <summary>How long to issue measured operations (null: until <see cref="Requests"/> are done).</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Open loop: this many operations per second in total, scheduled ahead of time.
    /// Null: closed loop (each connection sends its next request when the previous answer arrives).</summary>
    public double? RatePerSecond { get; init; }

    public Workload Workload { get; init; } = Workload.Get;

    /// <summary>Share of reads in <see cref="Workload.Mixed"/>, 0..1.</summary>
    public double ReadRatio { get; init; } = 0.5;

    public KeyTarget Target { get; init; } = KeyTarget.Documents;
    public string Collection { get; init; } = "bench";
    public string KeyPrefix { get; init; } = "k";
    public int KeyCount { get; init; } = 10_000;
    public KeyDistribution Distribution { get; init; } = KeyDistribution.Uniform;
    public double ZipfTheta { get; init; } = 0.99;

    /// <summary>Size of every written value; values carry a unique tag, so tiny sizes grow to fit it.</summary>
    public int ValueBytes { get; init; } = 100;

    /// <summary>Read consistency query parameter (linearizable, lease, session, stale); null = server default.</summary>
    public string? Consistency { get; init; }

    /// <summary>Write every key once before measuring (null: only for workloads that read).</summary>
    public bool? Preload { get; init; }

    /// <summary>Closed-loop traffic before measuring, not reported (JIT, connection set-up).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.Zero;

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public int CasRetriesMax { get; init; } = 20;

    /// <summary>Read back every acknowledged write (right after it, and once more at the end).</summary>
    public bool Verify { get; init; }

    /// <summary>Record the history of every operation and check it for linearizability.</summary>
    public bool Check { get; init; }

    /// <summary>
    /// --check: how long the linearizability check of the history may take in all. Keys still
    /// undecided then are reported as inconclusive (the check does not pass), never as anomalies.
    /// </summary>
    public TimeSpan CheckTimeMax { get; init; } = CheckTimeMaxDefault;

    /// <summary>Where to write the recorded history (JSON lines), if anywhere.</summary>
    public string? HistoryPath { get; init; }

    /// <summary>Seeds the key choice of every worker; null = from the clock.</summary>
    public int? Seed { get; init; }

    public bool OpenLoop => RatePerSecond is not null;

    public bool ShouldPreload => Preload ?? Workload is Workload.Get or Workload.Mixed or Workload.Cas;

    /// <summary>Every problem with these options, worded for the command line; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Servers.Count == 0) errors.Add("give at least one server");
        foreach (var s in Servers)
        {
            if (!s.IsAbsoluteUri || s.Scheme != Uri.UriSchemeHttp) errors.Add($"server {s} is not an http:// URL (the load tester speaks plain HTTP/1.1)");
        }
        if (Connections is < 1 or > ConnectionsMax) errors.Add($"connections must be 1..{ConnectionsMax}");
        if (Requests is null && Duration is null) errors.Add("give a request count (-n) or a duration (-d)");
        if (Requests is < 1) errors.Add("the request count must be positive");
        if (Duration is { } d && (d <= TimeSpan.Zero || d > DurationMax)) errors.Add($"the duration must be between 0 and {DurationMax.TotalHours} h");
        if (RatePerSecond is { } r && (!(r > 0) || r > RateMaxPerSecond)) errors.Add($"the rate must be between 0 and {RateMaxPerSecond} per second");
        if (ReadRatio is < 0 or > 1 || double.IsNaN(ReadRatio)) errors.Add("the read ratio must be between 0 and 1");
        if (KeyCount is < 1 or > KeyCountMax) errors.Add($"the key count must be 1..{KeyCountMax}");
        if (ValueBytes is < 1 or > ValueBytesMax) errors.Add($"the value size must be 1..{ValueBytesMax} bytes");
        if (Distribution == KeyDistribution.Zipfian && (ZipfTheta is <= 0 or >= 1 || double.IsNaN(ZipfTheta))) errors.Add("the zipf theta must be in (0, 1)");
        if (RequestTimeout <= TimeSpan.Zero) errors.Add("the request timeout must be positive");
        if (CasRetriesMax is < 0 or > CasRetriesMaxLimit) errors.Add($"cas retries must be 0..{CasRetriesMaxLimit}");
        if (Warmup < TimeSpan.Zero || Warmup > DurationMax) errors.Add("the warm-up must be a non-negative duration");
        if (Workload == Workload.Post && Target == KeyTarget.Keys) errors.Add("post creates documents: it needs the documents target");
        if (Workload == Workload.Post && Check) errors.Add("--check needs known keys: use get, put, mixed or cas");
        if (Check && Requests is > CheckOperationsMax) errors.Add($"--check records at most {CheckOperationsMax} operations");
        if (CheckTimeMax <= TimeSpan.Zero || CheckTimeMax > DurationMax) errors.Add($"the check time must be between 0 and {DurationMax.TotalHours} h");
        if (Target == KeyTarget.Documents && !IsCollectionName(Collection)) errors.Add($"collection '{Collection}' must match [a-z0-9][a-z0-9_-]{{0,63}}");
        if (KeyPrefix.Any(c => c is '?' or '#' or '%' || char.IsControl(c))) errors.Add("the key prefix must not contain ?, #, % or control characters");
        if (Target == KeyTarget.Documents && KeyPrefix.Contains('/', StringComparison.Ordinal)) errors.Add("document ids cannot contain '/'");
        return errors;
    }

    private static bool IsCollectionName(string name) =>
        name.Length is >= 1 and <= 64
        && IsLowerAlnum(name[0])
        && name.All(c => IsLowerAlnum(c) || c is '_' or '-');

    private static bool IsLowerAlnum(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
}

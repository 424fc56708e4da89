namespace Cairn.LoadTest;

/// <summary>
/// The keys of a run: <c>{prefix}{index}</c> with the index zero-padded to at least five digits
/// (<c>k00042</c>, the peers' key shape), and the request URI of each key on each server.
/// </summary>
/// <remarks>Thread-safe: URIs are built on first use and cached (a benign race builds one twice).</remarks>
public sealed class KeySpace
{
    /// <summary>Above this many keys × servers, URIs are built per request instead of cached.</summary>
    public const int CachedUrisMax = 400_000;

    private readonly string[] _bases;
    private readonly Uri?[][]? _cache;
    private readonly Uri?[][]? _readCache;
    private readonly string _format;
    private readonly string _readQuery;

    public KeySpace(BenchOptions options)
    {
        Count = options.KeyCount;
        Prefix = options.KeyPrefix;
        Target = options.Target;
        _format = "D" + Math.Max(5, (Count - 1).ToString().Length);
        _bases = options.Servers.Select(s => BasePath(s, options)).ToArray();
        _readQuery = options.Consistency is { } c ? "?consistency=" + System.Uri.EscapeDataString(c) : "";
        if ((long)Count * _bases.Length <= CachedUrisMax)
        {
            _cache = _bases.Select(_ => new Uri?[Count]).ToArray();
            _readCache = _readQuery.Length == 0 ? _cache : _bases.Select(_ => new Uri?[Count]).ToArray();
        }
        CollectionUris = options.Servers.Select(s => new Uri(s, "/v1/" + options.Collection)).ToArray();
    }

    public int Count { get; }
    public string Prefix { get; }
    public KeyTarget Target { get; }

    /// <summary>POST target per server (documents only).</summary>
    public IReadOnlyList<Uri> CollectionUris { get; }

    public string Name(int index)
    {
        Invariant.Check((uint)index < (uint)Count);
        return Prefix + index.ToString(_format);
    }

    /// <summary>The URI to write key <paramref name="index"/> on server <paramref name="server"/>.</summary>
    public Uri Uri(int server, int index)
    {
        if (_cache is null) return new Uri(_bases[server] + Escape(Name(index)));
        var slot = _cache[server];
        return slot[index] ??= new Uri(_bases[server] + Escape(Name(index)));
    }

    /// <summary>The URI to read key <paramref name="index"/>: with the run's consistency level, if any.</summary>
    public Uri ReadUri(int server, int index)
    {
        if (_readCache is null) return new Uri(_bases[server] + Escape(Name(index)) + _readQuery);
        var slot = _readCache[server];
        return slot[index] ??= new Uri(_bases[server] + Escape(Name(index)) + _readQuery);
    }

    /// <summary>The read URI of an arbitrary document id (a POSTed document, read back by --verify).</summary>
    public Uri ReadUriOf(int server, string id) => new(_bases[server] + Escape(id) + _readQuery);

    private string Escape(string name) => Target == KeyTarget.Keys
        ? string.Join('/', name.Split('/').Select(System.Uri.EscapeDataString))
        : System.Uri.EscapeDataString(name);

    private static string BasePath(Uri server, BenchOptions options)
    {
        var root = server.GetLeftPart(UriPartial.Authority);
        return options.Target == KeyTarget.Keys ? root + "/v1/_kv/" : root + "/v1/" + options.Collection + "/";
    }
}

namespace Cairn.LoadTest;

/// <summary>
/// The keys of a run: <c>{prefix}{index}</c> with the index zero-padded to at least five digits
/// (<c>k00042</c>, the peers' key shape), and the request target (escaped path and query) of
/// each. Targets do not depend on the server: every node serves the same paths.
/// </summary>
/// <remarks>Thread-safe: targets are built on first use and cached (a benign race builds one twice).</remarks>
public sealed class KeySpace
{
    /// <summary>Above this many keys, targets are built per request instead of cached.</summary>
    public const int CachedTargetsMax = 200_000;

    private readonly string?[]? _paths;
    private readonly string?[]? _readPaths;
    private readonly string _format;
    private readonly string _base;
    private readonly string _readQuery;

    public KeySpace(BenchOptions options)
    {
        Count = options.KeyCount;
        Prefix = options.KeyPrefix;
        Target = options.Target;
        _format = "D" + Math.Max(5, (Count - 1).ToString().Length);
        _base = options.Target == KeyTarget.Keys ? "/v1/_kv/" : "/v1/" + options.Collection + "/";
        _readQuery = options.Consistency is { } c ? "?consistency=" + Uri.EscapeDataString(c) : "";
        CollectionPath = "/v1/" + options.Collection;
        if (Count <= CachedTargetsMax)
        {
            _paths = new string?[Count];
            _readPaths = _readQuery.Length == 0 ? _paths : new string?[Count];
        }
    }

    public int Count { get; }
    public string Prefix { get; }
    public KeyTarget Target { get; }

    /// <summary>Where POST creates documents (documents only).</summary>
    public string CollectionPath { get; }

    public string Name(int index)
    {
        Invariant.Check((uint)index < (uint)Count);
        return Prefix + index.ToString(_format);
    }

    /// <summary>The target to write key <paramref name="index"/>.</summary>
    public string Path(int index) =>
        _paths is null ? _base + Escape(Name(index)) : _paths[index] ??= _base + Escape(Name(index));

    /// <summary>The target to read key <paramref name="index"/>: with the run's consistency level, if any.</summary>
    public string ReadPath(int index) =>
        _readPaths is null ? _base + Escape(Name(index)) + _readQuery : _readPaths[index] ??= _base + Escape(Name(index)) + _readQuery;

    /// <summary>The read target of an arbitrary document id (a POSTed document, read back by --verify).</summary>
    public string ReadPathOf(string id) => _base + Escape(id) + _readQuery;

    private string Escape(string name) => Target == KeyTarget.Keys
        ? string.Join('/', name.Split('/').Select(Uri.EscapeDataString))
        : Uri.EscapeDataString(name);
}

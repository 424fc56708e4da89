using Cairn.Store;

namespace Cairn.Api.Watch;

/// <summary>
/// An immutable index of the registered watchers by what they filter on, so the apply thread touches only the watchers
/// a change can match (plus every prefix watcher). Rebuilt on each registration change and swapped in whole.
/// </summary>
internal sealed class WatcherIndex
{
    public static WatcherIndex Empty { get; } = new([]);

    private readonly Watcher[] _all;
    private readonly Watcher[] _prefixes;
    private readonly Dictionary<string, Watcher[]> _byCollection;
    private readonly Dictionary<string, Watcher[]> _byKey;

    public WatcherIndex(IReadOnlyList<Watcher> watchers)
    {
        Watchers = watchers;
        _all = [.. watchers.Where(w => w.Filter.Kind == WatchFilterKind.All)];
        _prefixes = [.. watchers.Where(w => w.Filter.Kind == WatchFilterKind.Prefix)];
        _byCollection = Group(watchers.Where(w => w.Filter.Kind is WatchFilterKind.Collection or WatchFilterKind.Document), w => w.Filter.Collection!);
        _byKey = Group(watchers.Where(w => w.Filter.Kind == WatchFilterKind.Key), w => w.Filter.Key!);
    }

    public IReadOnlyList<Watcher> Watchers { get; }

    public bool IsEmpty => Watchers.Count == 0;

    /// <summary>Calls <paramref name="visit"/> for every watcher whose filter matches <paramref name="e"/>, each once.</summary>
    public void ForEachMatch<TState>(ChangeEvent e, TState state, Action<Watcher, ChangeEvent, TState> visit)
    {
        foreach (var w in _all) visit(w, e, state);
        if (e.Collection is not null)
        {
            if (!_byCollection.TryGetValue(e.Collection, out var candidates)) return;
            foreach (var w in candidates)
            {
                if (w.Filter.Kind == WatchFilterKind.Collection || string.Equals(w.Filter.Key, e.Key, StringComparison.Ordinal)) visit(w, e, state);
            }
            return;
        }
        if (_byKey.TryGetValue(e.Key, out var exact))
        {
            foreach (var w in exact) visit(w, e, state);
        }
        foreach (var w in _prefixes)
        {
            if (e.Key.StartsWith(w.Filter.Key!, StringComparison.Ordinal)) visit(w, e, state);
        }
    }

    private static Dictionary<string, Watcher[]> Group(IEnumerable<Watcher> watchers, Func<Watcher, string> by) =>
        watchers.GroupBy(by, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
}

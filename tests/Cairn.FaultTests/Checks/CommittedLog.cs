namespace Cairn.FaultTests.Checks;

/// <summary>An anomaly a checker found: its type (lost-write, duplicate-apply, stale-read, …) and the evidence.</summary>
public sealed record Anomaly(string Type, string Detail)
{
    public override string ToString() => $"[{Type}] {Detail}";
}

/// <summary>
/// The workload's committed changes by revision, merged from every node's change feed after the cluster converged.
/// Every node applies the same log, so where two nodes cover a revision they must report the same changes there;
/// a difference is a <c>divergent-history</c> anomaly. A revision no node covers is unknown here (the lost-write check
/// then falls back to the final state).
/// </summary>
public sealed class CommittedLog
{
    private readonly Dictionary<long, List<HistoryEvent>> _byRevision = [];
    private readonly List<NodeHistory> _nodes;

    public CommittedLog(IReadOnlyList<NodeHistory> nodes)
    {
        _nodes = [.. nodes.Where(n => n.Problem is null)];
        foreach (var node in _nodes)
        {
            foreach (var group in node.Events.GroupBy(e => e.Revision))
            {
                if (!_byRevision.ContainsKey(group.Key)) _byRevision[group.Key] = [.. group];
            }
        }
        foreach (var node in _nodes)
        {
            var mine = node.Events.GroupBy(e => e.Revision).ToDictionary(g => g.Key, g => g.ToList());
            foreach (var (revision, events) in _byRevision)
            {
                if (!node.Covers(revision)) continue;
                var own = mine.GetValueOrDefault(revision) ?? [];
                if (!own.SequenceEqual(events))
                    Anomalies.Add(new Anomaly("divergent-history", $"at revision {revision} {node.Node} applied [{string.Join("; ", own)}] but another node applied [{string.Join("; ", events)}]"));
            }
        }
    }

    public List<Anomaly> Anomalies { get; } = [];

    public IReadOnlyList<NodeHistory> Nodes => _nodes;

    public IEnumerable<HistoryEvent> Events => _byRevision.Values.SelectMany(e => e);

    public bool Covers(long revision) => _nodes.Any(n => n.Covers(revision));

    public IReadOnlyList<HistoryEvent> At(long revision) => _byRevision.GetValueOrDefault(revision) ?? [];

    public string Describe() => _nodes.Count == 0
        ? "no node's change feed could be read"
        : string.Join(", ", _nodes.Select(n => $"{n.Node} ({n.CoveredAfter}, {n.CoveredTo}] {n.Events.Count} events"));
}

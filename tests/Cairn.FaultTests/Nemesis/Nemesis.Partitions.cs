namespace Cairn.FaultTests.Nemesis;

public sealed partial class Nemesis
{
    /// <summary>The partition shapes, chosen uniformly.</summary>
    public static readonly IReadOnlyList<string> PartitionShapes = ["isolate-one", "isolate-leader", "majority-minority", "bridge", "one-way-out", "one-way-in"];

    private async Task PartitionAsync(TimeSpan hold, CancellationToken stop)
    {
        var shapes = run.Spec.PartitionShapes ?? PartitionShapes;
        var shape = shapes[random.Next(shapes.Count)];
        var (target, _) = PickTarget(leaderShare: shape is "isolate-leader" or "one-way-out" or "one-way-in" ? 1.0 : 0.0);
        var detail = Cut(shape, target);
        var record = run.Faults.Begin("partition", shape, detail);
        await PaceAsync(hold, stop);
        Cluster.HealAll();
        run.Faults.End(record);
    }

    /// <summary>Cuts the relays for one shape around <paramref name="target"/>; returns the sides, for the log.</summary>
    private string Cut(string shape, string target)
    {
        var others = Founding.Where(n => n != target).ToList();
        switch (shape)
        {
            case "isolate-one":
            case "isolate-leader":
                Cluster.Partition(target);
                return $"{target} | {string.Join(',', others)}";
            case "majority-minority":
            {
                var shuffled = Founding.OrderBy(_ => random.Next()).ToList();
                var minority = shuffled.Take((Founding.Count - 1) / 2).ToArray();
                Cluster.Partition(minority);
                return $"{string.Join(',', minority)} | {string.Join(',', shuffled.Skip(minority.Length))}";
            }
            case "bridge":
            {
                // target talks to everyone; the rest split in two halves that cannot talk to each other.
                var shuffled = others.OrderBy(_ => random.Next()).ToList();
                var left = shuffled.Take(shuffled.Count / 2).ToList();
                var right = shuffled.Skip(shuffled.Count / 2).ToList();
                foreach (var a in left)
                {
                    foreach (var b in right)
                    {
                        Cluster.Relay(a, b).Cut();
                        Cluster.Relay(b, a).Cut();
                    }
                }
                return $"{string.Join(',', left)} | {string.Join(',', right)} bridged by {target}";
            }
            case "one-way-out":
                foreach (var o in others) Cluster.Relay(target, o).Cut();
                return $"{target} -> {{{string.Join(',', others)}}} cut (it still hears them)";
            default: // one-way-in
                foreach (var o in others) Cluster.Relay(o, target).Cut();
                return $"{{{string.Join(',', others)}}} -> {target} cut (it still reaches them)";
        }
    }
}

namespace Cairn.Simulation;

internal sealed partial class Nemesis
{
    /// <summary>
    /// Replaces any partition by a new one of a random shape (healed 30–250 ticks later): isolate a node, isolate the
    /// leader, a majority/minority split, one to three one-way cuts, or a bridge (two halves sharing one node).
    /// </summary>
    private void Partition()
    {
        var members = cluster.LiveOrCrashedIds();
        if (members.Count < 2) return;
        cluster.Network.Heal();
        _healAt = cluster.Now + rng.Next(30, 250);
        switch (rng.Next(5))
        {
            case 0:
            {
                var node = members[rng.Next(members.Count)];
                cluster.Network.Isolate(node, members);
                Record(FaultKind.IsolateNode, $"isolate {node}");
                break;
            }
            case 1:
            {
                var leader = cluster.CurrentLeader()?.Id ?? members[rng.Next(members.Count)];
                cluster.Network.Isolate(leader, members);
                Record(FaultKind.IsolateLeader, $"isolate leader {leader}");
                break;
            }
            case 2:
            {
                var shuffled = Shuffle(members);
                var minority = rng.Next(1, ((shuffled.Count - 1) / 2) + 1);
                var small = shuffled.Take(minority).ToArray();
                var large = shuffled.Skip(minority).ToArray();
                cluster.Network.CutBetween(small, large);
                Record(FaultKind.MajorityMinoritySplit, $"split [{string.Join(',', small)}] | [{string.Join(',', large)}]");
                break;
            }
            case 3:
            {
                var cuts = rng.Next(1, 4);
                var text = new List<string>();
                for (var i = 0; i < cuts; i++)
                {
                    var from = members[rng.Next(members.Count)];
                    var to = members[rng.Next(members.Count)];
                    if (from == to) continue;
                    cluster.Network.CutOneWay(from, to);
                    text.Add($"{from}->{to}");
                }
                Record(FaultKind.OneWayCut, $"one-way cut {string.Join(' ', text)}");
                break;
            }
            default:
            {
                if (members.Count < 3) return;
                var shuffled = Shuffle(members);
                var bridge = shuffled[0];
                var rest = shuffled.Skip(1).ToArray();
                var half = rng.Next(1, rest.Length);
                NodeId[] left = [bridge, .. rest.Take(half)];
                NodeId[] right = [bridge, .. rest.Skip(half)];
                cluster.Network.CutBetween(left, right);
                Record(FaultKind.Bridge, $"bridge {bridge} between [{string.Join(',', left)}] and [{string.Join(',', right)}]");
                break;
            }
        }
    }

    private List<NodeId> Shuffle(IReadOnlyList<NodeId> items)
    {
        var list = items.ToList();
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
        return list;
    }
}

using Cairn.Consensus;

namespace Cairn.Simulation;

/// <summary>
/// The simulated network between nodes: every message gets a random delay (so messages reorder), may be lost or
/// duplicated, and is dropped at delivery time when its directed link is cut. Partitions are sets of cut directed
/// links, which express every shape (isolation, splits, one-way cuts, bridges). Deterministic: the only randomness
/// is the run's RNG, and messages due at the same tick are delivered in the order they were sent.
/// </summary>
internal sealed class Network
{
    /// <summary>Messages in flight at once; a run that exceeds it is broken (a message storm), not merely slow.</summary>
    public const int InFlightMessagesMax = 500_000;

    private readonly Random _rng;
    private readonly PriorityQueue<Message, (long Tick, long Seq)> _inFlight = new();
    private readonly HashSet<(NodeId From, NodeId To)> _cut = []; // looked up only, never iterated
    private long _seq;

    public Network(Random rng, int delayMinTicks, int delayMaxTicks, double lossRate, double duplicateRate)
    {
        _rng = rng;
        BaseDelayMinTicks = DelayMinTicks = delayMinTicks;
        BaseDelayMaxTicks = DelayMaxTicks = delayMaxTicks;
        BaseLossRate = LossRate = lossRate;
        BaseDuplicateRate = DuplicateRate = duplicateRate;
    }

    public int BaseDelayMinTicks { get; }
    public int BaseDelayMaxTicks { get; }
    public double BaseLossRate { get; }
    public double BaseDuplicateRate { get; }

    public int DelayMinTicks { get; set; }
    public int DelayMaxTicks { get; set; }
    public double LossRate { get; set; }
    public double DuplicateRate { get; set; }

    public long Sent { get; private set; }
    public long Delivered { get; private set; }
    public long Lost { get; private set; }
    public long Duplicated { get; private set; }
    public long DroppedByPartition { get; private set; }
    public int InFlight => _inFlight.Count;
    public bool IsPartitioned => _cut.Count > 0;

    /// <summary>Puts a message on the wire at <paramref name="now"/>: lost, or delivered once or twice after random delays.</summary>
    public void Send(Message message, long now)
    {
        Sent++;
        if (LossRate > 0 && _rng.NextDouble() < LossRate)
        {
            Lost++;
            return;
        }
        Enqueue(message, now);
        if (DuplicateRate > 0 && _rng.NextDouble() < DuplicateRate)
        {
            Duplicated++;
            Enqueue(message, now);
        }
    }

    /// <summary>The next message due at or before <paramref name="now"/> whose link is not cut (cut ones are dropped).</summary>
    public bool TryReceive(long now, out Message message)
    {
        while (_inFlight.TryPeek(out var next, out var due) && due.Tick <= now)
        {
            _inFlight.Dequeue();
            if (_cut.Contains((next.From, next.To)))
            {
                DroppedByPartition++;
                continue;
            }
            Delivered++;
            message = next;
            return true;
        }
        message = null!;
        return false;
    }

    public bool IsCut(NodeId from, NodeId to) => _cut.Contains((from, to));

    /// <summary>Drops messages from <paramref name="from"/> to <paramref name="to"/> (one direction only).</summary>
    public void CutOneWay(NodeId from, NodeId to)
    {
        if (from != to) _cut.Add((from, to));
    }

    /// <summary>Cuts every link between the two groups, both ways. A node in both groups keeps all its links (a bridge).</summary>
    public void CutBetween(IReadOnlyList<NodeId> a, IReadOnlyList<NodeId> b)
    {
        foreach (var x in a)
        {
            if (b.Contains(x)) continue;
            foreach (var y in b)
            {
                if (a.Contains(y)) continue;
                CutOneWay(x, y);
                CutOneWay(y, x);
            }
        }
    }

    /// <summary>Cuts one node off from every other node, both ways.</summary>
    public void Isolate(NodeId node, IReadOnlyList<NodeId> all) => CutBetween([node], [.. all.Where(n => n != node)]);

    public void Heal() => _cut.Clear();

    /// <summary>Back to the run's calm-weather rates (ends any loss, duplication or slow burst).</summary>
    public void RestoreBaseRates()
    {
        DelayMinTicks = BaseDelayMinTicks;
        DelayMaxTicks = BaseDelayMaxTicks;
        LossRate = BaseLossRate;
        DuplicateRate = BaseDuplicateRate;
    }

    private void Enqueue(Message message, long now)
    {
        Invariant.Check(_inFlight.Count < InFlightMessagesMax, "messages in flight stay bounded");
        var delay = _rng.Next(DelayMinTicks, DelayMaxTicks + 1);
        _inFlight.Enqueue(message, (now + delay, _seq++));
    }
}

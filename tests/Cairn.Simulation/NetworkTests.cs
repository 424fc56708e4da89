using Cairn.Consensus;

namespace Cairn.Simulation;

public sealed class NetworkTests
{
    private static readonly NodeId N1 = new(1), N2 = new(2), N3 = new(3), N4 = new(4), N5 = new(5);
    private static readonly NodeId[] All = [N1, N2, N3, N4, N5];

    private static Network Calm(int delayMax = 1) => new(new Random(1), 1, delayMax, 0, 0);

    private static Heartbeat Beat(NodeId from, NodeId to, ulong context = 0) => new(from, to, new Term(1), LogIndex.Zero, context);

    private static List<Message> DeliverAll(Network net, long upTo)
    {
        var got = new List<Message>();
        for (long t = 0; t <= upTo; t++)
        {
            while (net.TryReceive(t, out var m)) got.Add(m);
        }
        return got;
    }

    [Fact]
    public void OneWayCut_DropsOneDirection_AndDeliversTheOther()
    {
        var net = Calm();
        net.CutOneWay(N1, N2);

        net.Send(Beat(N1, N2), 0);
        net.Send(Beat(N2, N1), 0);

        var got = DeliverAll(net, 5);
        Assert.Equal([N1], got.Select(m => m.To));
        Assert.Equal(1, net.DroppedByPartition);
    }

    [Fact]
    public void Bridge_KeepsTheSharedNodeConnectedToBothHalves_AndCutsTheHalvesApart()
    {
        var net = Calm();
        net.CutBetween([N3, N1, N2], [N3, N4, N5]);

        Assert.False(net.IsCut(N3, N1) || net.IsCut(N1, N3) || net.IsCut(N3, N5) || net.IsCut(N5, N3));
        Assert.True(net.IsCut(N1, N4) && net.IsCut(N4, N1) && net.IsCut(N2, N5) && net.IsCut(N5, N2));
        Assert.False(net.IsCut(N1, N2) || net.IsCut(N4, N5));
    }

    [Fact]
    public void Isolate_CutsEveryLinkOfOneNode_BothWays()
    {
        var net = Calm();
        net.Isolate(N2, All);

        foreach (var other in All.Where(n => n != N2)) Assert.True(net.IsCut(N2, other) && net.IsCut(other, N2));
        Assert.False(net.IsCut(N1, N3));
    }

    [Fact]
    public void Heal_DeliversMessagesStillInFlight()
    {
        var net = Calm(delayMax: 5);
        net.Isolate(N1, All);
        net.Send(Beat(N1, N2), 0);
        net.Heal();

        Assert.Single(DeliverAll(net, 10));
    }

    [Fact]
    public void RandomDelays_Reorder_ButEqualDueTicksKeepSendOrder()
    {
        var net = new Network(new Random(3), 1, 6, 0, 0);
        for (ulong i = 1; i <= 50; i++) net.Send(Beat(N1, N2, i), 0);

        var contexts = DeliverAll(net, 10).Cast<Heartbeat>().Select(h => h.ReadContext).ToList();

        Assert.Equal(50, contexts.Count);
        Assert.NotEqual(contexts.Order(), contexts); // reordered
        var replay = new Network(new Random(3), 1, 6, 0, 0);
        for (ulong i = 1; i <= 50; i++) replay.Send(Beat(N1, N2, i), 0);
        Assert.Equal(contexts, DeliverAll(replay, 10).Cast<Heartbeat>().Select(h => h.ReadContext));
    }

    [Fact]
    public void LossAndDuplication_HappenAtTheConfiguredRates()
    {
        var net = new Network(new Random(5), 1, 3, lossRate: 0.2, duplicateRate: 0.1);
        for (var i = 0; i < 10_000; i++) net.Send(Beat(N1, N2), 0);

        var delivered = DeliverAll(net, 5).Count;

        Assert.InRange(net.Lost, 1_800, 2_200);
        Assert.InRange(net.Duplicated, 650, 950);
        Assert.Equal(10_000 - net.Lost + net.Duplicated, delivered);
    }
}

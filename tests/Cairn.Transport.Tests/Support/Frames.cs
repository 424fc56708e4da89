using Cairn.Consensus;
using Cairn.Transport.Wire;

namespace Cairn.Transport.Tests.Support;

/// <summary>Small frames whose order can be checked: a heartbeat whose read context is a sequence number.</summary>
internal static class Frames
{
    public static RaftMessagesFrame Tagged(NodeId from, NodeId to, ulong tag) =>
        new([new Heartbeat(from, to, new Term(1), LogIndex.Zero, tag)]);

    public static TransportOptions Options(ulong id, string cluster = "test-cluster") => new()
    {
        LocalId = new NodeId(id),
        ClusterId = cluster,
        ReconnectDelayMinMs = 10,
        ReconnectDelayMaxMs = 100,
        JitterSeed = (int)id,
    };
}

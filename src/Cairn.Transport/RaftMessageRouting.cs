using Cairn.Consensus;
using Cairn.Transport.Wire;

namespace Cairn.Transport;

/// <summary>Sends a Ready's messages: one RaftMessages frame per peer, split so that no frame exceeds the limit.</summary>
public static class RaftMessageRouting
{
    /// <summary>
    /// Groups <paramref name="messages"/> by destination (order per destination kept), packs each group into as few
    /// frames as <see cref="ITransport.FrameBytesMax"/> allows, and sends them. Never blocks.
    /// </summary>
    /// <param name="refusedPeers">When given, receives each peer for which a frame was refused (at most once per peer),
    /// so the caller can report it unreachable. A single message larger than the frame limit is refused too.</param>
    /// <returns>The number of frames refused.</returns>
    public static int SendMessages(this ITransport transport, IReadOnlyList<Message> messages, ICollection<NodeId>? refusedPeers = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(messages);
        var refused = 0;
        foreach (var (peer, group) in GroupByDestination(messages))
        {
            var peerRefused = false;
            foreach (var frame in Pack(group, transport.FrameBytesMax))
            {
                if (transport.TrySend(peer, frame)) continue;
                refused++;
                peerRefused = true;
            }
            if (peerRefused) refusedPeers?.Add(peer);
        }
        return refused;
    }

    private static List<(NodeId Peer, List<Message> Group)> GroupByDestination(IReadOnlyList<Message> messages)
    {
        // Clusters are small (3–7 nodes): a linear scan beats a dictionary and keeps first-seen order.
        var groups = new List<(NodeId, List<Message>)>();
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            var found = groups.FindIndex(g => g.Item1 == m.To);
            if (found < 0) groups.Add((m.To, [m]));
            else groups[found].Item2.Add(m);
        }
        return groups;
    }

    /// <summary>Consecutive runs of messages whose frame stays within the limit; an oversized message gets its own frame.</summary>
    internal static IEnumerable<RaftMessagesFrame> Pack(List<Message> group, int frameBytesMax)
    {
        // Frame = header + count + messages; the length field counts everything but its own 4 bytes.
        const int FixedBytes = 1 + 4;
        var start = 0;
        long bytes = FixedBytes;
        for (var i = 0; i < group.Count; i++)
        {
            var size = MessageCodec.GetEncodedBytes(group[i]);
            var full = i - start >= WireLimits.MessagesPerFrameMax || bytes + size > frameBytesMax;
            if (full && i > start)
            {
                yield return new RaftMessagesFrame(group.GetRange(start, i - start));
                start = i;
                bytes = FixedBytes;
            }
            bytes += size;
        }
        if (group.Count > start) yield return new RaftMessagesFrame(start == 0 ? group : group.GetRange(start, group.Count - start));
    }
}

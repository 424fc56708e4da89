using Cairn.Consensus;
using Cairn.Transport.Wire;

namespace Cairn.Transport;

/// <summary>
/// Checks every transport applies to a frame after its handshake and before the node sees it: the frame types a peer
/// may send on an established link, and consensus messages that really come from that peer and are meant for us
/// (the consensus core asserts both, so a violation must never reach it).
/// </summary>
internal static class InboundValidation
{
    /// <summary>Null when acceptable, otherwise why the frame breaks the protocol.</summary>
    public static string? Check(NodeId from, NodeId local, Frame frame)
    {
        switch (frame)
        {
            case HandshakeFrame or HandshakeAckFrame:
                return $"{frame.Type} after the handshake";
            case RaftMessagesFrame batch:
                for (var i = 0; i < batch.Messages.Count; i++)
                {
                    var m = batch.Messages[i];
                    if (m.From != from || m.To != local) return $"{m.Kind} from {m.From} to {m.To} on the link {from} → {local}";
                }
                return null;
            default:
                return null;
        }
    }
}

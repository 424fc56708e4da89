using Cairn.Transport.Wire;

namespace Cairn.Transport;

/// <summary>Settings of a transport (TCP and in-memory share it; the in-memory twin ignores the network timings).</summary>
public sealed record TransportOptions
{
    /// <summary>This node's id; never <see cref="NodeId.None"/>.</summary>
    public required NodeId LocalId { get; init; }

    /// <summary>Peers must present the same cluster id in their handshake (≤ 64 UTF-8 bytes, not empty).</summary>
    public required string ClusterId { get; init; }

    /// <summary>Largest frame (type + payload) sent or accepted; above every AppendEntries batch and snapshot chunk.</summary>
    public int FrameBytesMax { get; init; } = WireLimits.FrameBytesMaxDefault;

    /// <summary>Frames queued per peer; TrySend returns false beyond it.</summary>
    public int SendQueueFramesMax { get; init; } = 1024;

    /// <summary>Bytes queued per peer (large entries or snapshot chunks); TrySend returns false beyond it.</summary>
    public long SendQueueBytesMax { get; init; } = 64L << 20;

    /// <summary>Bytes written before a flush when many frames are queued: queued frames go out in one write.</summary>
    public int SendBatchBytesMax { get; init; } = 1 << 20;

    /// <summary>Time allowed to open a TCP connection.</summary>
    public int ConnectTimeoutMs { get; init; } = 2000;

    /// <summary>Time allowed for a handshake to be sent and answered (both sides).</summary>
    public int HandshakeTimeoutMs { get; init; } = 2000;

    /// <summary>Time allowed for one flush; a peer that stops reading loses its connection after it.</summary>
    public int WriteTimeoutMs { get; init; } = 5000;

    /// <summary>First reconnect delay; doubles per failed attempt, with jitter, up to <see cref="ReconnectDelayMaxMs"/>.</summary>
    public int ReconnectDelayMinMs { get; init; } = 50;

    /// <summary>Upper bound of the reconnect delay.</summary>
    public int ReconnectDelayMaxMs { get; init; } = 2000;

    /// <summary>Seed for reconnect jitter; null picks one at random.</summary>
    public int? JitterSeed { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid setting.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (LocalId.IsNone) errors.Add("LocalId must not be NodeId.None");
        if (string.IsNullOrEmpty(ClusterId) || WireWriter.Utf8Bytes(ClusterId) is < 1 or > WireLimits.ClusterIdBytesMax)
            errors.Add($"ClusterId must be 1..{WireLimits.ClusterIdBytesMax} UTF-8 bytes");
        if (FrameBytesMax < WireLimits.FrameBytesMinAllowed) errors.Add($"FrameBytesMax must be ≥ {WireLimits.FrameBytesMinAllowed}");
        if (SendQueueFramesMax < 1) errors.Add("SendQueueFramesMax must be ≥ 1");
        if (SendQueueBytesMax < FrameBytesMax) errors.Add("SendQueueBytesMax must be ≥ FrameBytesMax (one largest frame must fit)");
        if (SendBatchBytesMax < 1) errors.Add("SendBatchBytesMax must be ≥ 1");
        if (ConnectTimeoutMs < 1) errors.Add("ConnectTimeoutMs must be ≥ 1");
        if (HandshakeTimeoutMs < 1) errors.Add("HandshakeTimeoutMs must be ≥ 1");
        if (WriteTimeoutMs < 1) errors.Add("WriteTimeoutMs must be ≥ 1");
        if (ReconnectDelayMinMs < 1) errors.Add("ReconnectDelayMinMs must be ≥ 1");
        if (ReconnectDelayMaxMs < ReconnectDelayMinMs) errors.Add("ReconnectDelayMaxMs must be ≥ ReconnectDelayMinMs");
        if (errors.Count > 0) throw new ArgumentException("invalid TransportOptions: " + string.Join("; ", errors));
    }
}

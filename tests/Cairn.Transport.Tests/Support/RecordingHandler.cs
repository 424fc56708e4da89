using Cairn.Consensus;
using Cairn.Transport.Wire;

namespace Cairn.Transport.Tests.Support;

/// <summary>Records what a transport delivers and lets a test await it with a deadline (never a sleep).</summary>
internal sealed class RecordingHandler : IPeerFrameHandler
{
    private readonly Lock _gate = new();
    private readonly List<(NodeId From, Frame Frame)> _frames = [];
    private readonly List<NodeId> _unreachable = [];

    /// <summary>Released on every event, so waiters re-check their condition as soon as something happens.</summary>
    public SemaphoreSlim Signal { get; } = new(0, int.MaxValue);

    /// <summary>When set, called for every frame (for handlers that answer).</summary>
    public Action<NodeId, Frame>? OnEachFrame { get; set; }

    public void OnFrame(NodeId from, Frame frame)
    {
        lock (_gate) _frames.Add((from, frame));
        OnEachFrame?.Invoke(from, frame);
        Signal.Release();
    }

    public void OnPeerUnreachable(NodeId peer)
    {
        lock (_gate) _unreachable.Add(peer);
        Signal.Release();
    }

    public List<(NodeId From, Frame Frame)> Frames
    {
        get
        {
            lock (_gate) return [.. _frames];
        }
    }

    public List<NodeId> Unreachable
    {
        get
        {
            lock (_gate) return [.. _unreachable];
        }
    }

    /// <summary>Read contexts of heartbeats received from <paramref name="from"/>, in arrival order (tests tag frames with them).</summary>
    public List<ulong> HeartbeatTags(NodeId from) =>
        Frames.Where(f => f.From == from).SelectMany(f => ((RaftMessagesFrame)f.Frame).Messages).OfType<Heartbeat>().Select(h => h.ReadContext).ToList();
}

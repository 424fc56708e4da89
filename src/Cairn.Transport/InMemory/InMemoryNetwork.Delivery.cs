using System.Buffers;
using Cairn.Transport.Wire;
using Microsoft.Extensions.Logging;

namespace Cairn.Transport.InMemory;

public sealed partial class InMemoryNetwork
{
    /// <summary>
    /// Delivers queued frames on the calling thread until none is left or <paramref name="framesMax"/> were handled
    /// (frames sent by handlers during the call are delivered too, within the bound). Deterministic: senders and their
    /// links in id order, each link drained in FIFO order. Returns the number of frames handled (delivered or lost).
    /// </summary>
    public int DeliverPending(int framesMax = 100_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(framesMax, 1);
        lock (_delivery)
        {
            var handled = 0;
            while (handled < framesMax)
            {
                var before = handled;
                foreach (var sender in Senders())
                {
                    foreach (var peer in sender.PeersWithQueuedFrames())
                    {
                        while (handled < framesMax && sender.TryDequeue(peer, out var frame, out var bytes))
                        {
                            handled++;
                            DeliverOne(sender, peer, frame, bytes);
                        }
                    }
                }
                if (handled == before) break;
            }
            return handled;
        }
    }

    /// <summary>Starts a loop that delivers whenever a frame is queued. Stop it with <see cref="StopBackgroundDeliveryAsync"/>.</summary>
    public void StartBackgroundDelivery()
    {
        lock (_gate)
        {
            Invariant.Check(_loop is null, "background delivery is already running");
            _loopStop = new CancellationTokenSource();
            var token = _loopStop.Token;
            _loop = Task.Run(() => LoopAsync(token), CancellationToken.None);
        }
        Signal();
    }

    public async Task StopBackgroundDeliveryAsync()
    {
        Task? loop;
        CancellationTokenSource? stop;
        lock (_gate)
        {
            (loop, stop) = (_loop, _loopStop);
            (_loop, _loopStop) = (null, null);
        }
        if (loop is null || stop is null) return;
        await stop.CancelAsync();
        try
        {
            await loop;
        }
        catch (OperationCanceledException)
        {
        }
        stop.Dispose();
    }

    private async Task LoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await _wake.Reader.ReadAsync(stop);
            try
            {
                // A full batch means more may be waiting: wake again instead of waiting for the next send.
                if (DeliverPending(BackgroundBatchFramesMax) == BackgroundBatchFramesMax) Signal();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogHandlerFailed(_logger, e);
            }
        }
    }

    private List<InMemoryTransport> Senders()
    {
        lock (_gate) return [.. _transports.Values];
    }

    private void DeliverOne(InMemoryTransport sender, NodeId to, Frame frame, int bytes)
    {
        InMemoryTransport? receiver;
        bool lost;
        lock (_gate)
        {
            _transports.TryGetValue(to, out receiver);
            lost = receiver is null || _cut.Contains((sender.LocalId, to)) ||
                (_dropRates.TryGetValue((sender.LocalId, to), out var p) && _random.NextDouble() < p);
        }
        if (!lost && _roundTrip && !TryRoundTrip(receiver!, ref frame)) lost = true;
        if (!lost && !receiver!.Receive(sender.LocalId, frame)) lost = true;
        Interlocked.Increment(ref lost ? ref _lost : ref _delivered);
        sender.OnSent(to, bytes, delivered: !lost);
    }

    /// <summary>What the wire does to a frame: encode, then decode with the receiver's limits.</summary>
    private static bool TryRoundTrip(InMemoryTransport receiver, ref Frame frame)
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameCodec.Write(writer, frame);
        var buffer = new ReadOnlySequence<byte>(writer.WrittenMemory);
        try
        {
            if (FrameCodec.TryReadFrame(ref buffer, receiver.FrameBytesMax, out var decoded))
            {
                frame = decoded;
                return true;
            }
        }
        catch (FrameFormatException)
        {
        }
        receiver.CountMalformed();
        return false;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "in-memory delivery: a frame handler threw")]
    private static partial void LogHandlerFailed(ILogger logger, Exception error);
}

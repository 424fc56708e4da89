using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Cairn.SystemTests.Harness;

/// <summary>How a degraded link behaves: each peer frame is dropped with <see cref="DropProbability"/>, and the rest
/// arrive <see cref="Delay"/> plus up to <see cref="Jitter"/> late (in order: TCP never reorders).</summary>
public sealed record LinkConditions(double DropProbability, TimeSpan Delay, TimeSpan Jitter)
{
    public static LinkConditions Nominal { get; } = new(0, TimeSpan.Zero, TimeSpan.Zero);

    public bool IsNominal => DropProbability <= 0 && Delay <= TimeSpan.Zero && Jitter <= TimeSpan.Zero;

    public override string ToString() => $"drop {DropProbability:P0} delay {Delay.TotalMilliseconds:0}+{Jitter.TotalMilliseconds:0} ms";
}

/// <summary>
/// Lossy and slow links (the fault tests). A relay that was never degraded pipes bytes exactly as before. Once
/// <see cref="Degrade"/> is called, its live connections are closed (the sender reconnects at once) and every new
/// connection is pumped frame by frame: the peer protocol's <c>[u32 length][u8 type][payload]</c> framing is read so
/// whole frames can be dropped or held back, never torn. Handshake frames (types 1 and 2) are never dropped.
/// </summary>
public sealed partial class PeerRelay
{
    private const int ShapedFrameBytesMax = 64 << 20;

    private volatile LinkConditions _conditions = LinkConditions.Nominal;
    private volatile bool _shaped;
    private Random _random = new(0);
    private long _framesDropped;
    private long _framesPassed;

    public bool IsShaped => _shaped;

    public LinkConditions Conditions => _conditions;

    public long FramesDropped => Interlocked.Read(ref _framesDropped);

    public long FramesPassed => Interlocked.Read(ref _framesPassed);

    /// <summary>From now on, frames on this link are dropped and delayed as <paramref name="conditions"/> say (seeded).</summary>
    public void Degrade(LinkConditions conditions, int seed)
    {
        Socket[] live = [];
        lock (_gate)
        {
            _random = new Random(seed);
            _conditions = conditions;
            if (!_shaped)
            {
                _shaped = true;
                live = [.. _live];
                _live.Clear();
            }
        }
        foreach (var s in live) Close(s);
    }

    /// <summary>Back to a clean link (the connections stay frame-pumped, without loss or delay).</summary>
    public void Restore() => _conditions = LinkConditions.Nominal;

    private async Task ShapedPumpAsync(Socket from, Socket to)
    {
        var queue = Channel.CreateUnbounded<(byte[] Frame, long Due)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var sender = SendDueAsync(queue.Reader, to);
        try
        {
            using var stream = new NetworkStream(from, ownsSocket: false);
            var header = new byte[5];
            long lastDue = 0;
            while (true)
            {
                if (!await ReadFullyAsync(stream, header)) return;
                var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
                if (length is 0 or > ShapedFrameBytesMax) return; // not a frame of the peer protocol: close the link
                var frame = new byte[4 + length];
                header.CopyTo(frame, 0);
                if (length > 1 && !await ReadFullyAsync(stream, frame.AsMemory(5))) return;
                var conditions = _conditions;
                if (header[4] > 2 && conditions.DropProbability > 0 && NextDouble() < conditions.DropProbability)
                {
                    Interlocked.Increment(ref _framesDropped);
                    continue;
                }
                var due = Stopwatch.GetTimestamp() + TicksOf(conditions.Delay + conditions.Jitter * NextDouble());
                lastDue = Math.Max(lastDue, due);
                Interlocked.Increment(ref _framesPassed);
                if (!queue.Writer.TryWrite((frame, lastDue))) return;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            queue.Writer.TryComplete();
            await sender;
        }
    }

    private async Task SendDueAsync(ChannelReader<(byte[] Frame, long Due)> frames, Socket to)
    {
        try
        {
            await foreach (var (frame, due) in frames.ReadAllAsync(_stop.Token))
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero) await Task.Delay(wait, _stop.Token); // the simulated link latency
                await to.SendAsync(frame, SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private double NextDouble()
    {
        lock (_gate) return _random.NextDouble();
    }

    private static long TicksOf(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private static async Task<bool> ReadFullyAsync(NetworkStream stream, Memory<byte> buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer[read..]);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }
}

using System.Buffers;
using Cairn.Consensus;
using Cairn.Transport.Wire;
using FsCheck;
using FsCheck.Fluent;

namespace Cairn.Transport.Tests.Wire;

public sealed class RoundTripTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(400);

    [Fact]
    public void EveryMessageKind_RoundTrips_ForGeneratedMessages()
    {
        var seen = new HashSet<MessageKind>();
        Check.One(Runs.WithMaxTest(1500), Prop.ForAll(WireGen.Message.ToArbitrary(), message =>
        {
            seen.Add(message.Kind);
            var bytes = WireBytes.Encode(message);
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
            var decoded = MessageCodec.Read(ref reader);
            return reader.End && bytes.Length == MessageCodec.GetEncodedBytes(message) && WireEquality.Same(message, decoded);
        }));
        Assert.Equal(Enum.GetValues<MessageKind>().ToHashSet(), seen);
    }

    [Fact]
    public void EveryFrameType_RoundTrips_ForGeneratedFrames()
    {
        var seen = new HashSet<FrameType>();
        Check.One(Runs, Prop.ForAll(WireGen.Frame.ToArbitrary(), frame =>
        {
            seen.Add(frame.Type);
            var bytes = WireBytes.Encode(frame);
            return bytes.Length == FrameCodec.GetFrameBytes(frame) && WireEquality.Same(frame, WireBytes.DecodeOne(bytes));
        }));
        Assert.Equal(Enum.GetValues<FrameType>().ToHashSet(), seen);
    }

    [Fact]
    public void Frames_Decode_WhenSplitIntoTinySegments()
    {
        Check.One(Runs.WithMaxTest(100), Prop.ForAll(WireGen.Frame.ToArbitrary(), Gen.Choose(1, 7).ToArbitrary(), (frame, segment) =>
        {
            var bytes = WireBytes.Encode(frame);
            return WireEquality.Same(frame, WireBytes.DecodeOne(WireBytes.Fragmented(bytes, segment)));
        }));
    }

    [Fact]
    public void HandWrittenSamples_RoundTrip_AndCoverEveryKindAndType()
    {
        var frames = Samples.EveryFrameType();
        Assert.Equal(Enum.GetValues<FrameType>().Length, frames.Select(f => f.Type).Distinct().Count());
        var batch = Assert.IsType<RaftMessagesFrame>(frames.Single(f => f.Type == FrameType.RaftMessages));
        Assert.Equal(Enum.GetValues<MessageKind>().Length, batch.Messages.Select(m => m.Kind).Distinct().Count());
        foreach (var frame in frames) Assert.True(WireEquality.Same(frame, WireBytes.DecodeOne(WireBytes.Encode(frame))), frame.Type.ToString());
    }

    [Fact]
    public void ConsecutiveFrames_AreReadOneByOne_AndAPartialTailWaits()
    {
        var frames = Samples.EveryFrameType();
        var stream = frames.SelectMany(WireBytes.Encode).ToList();
        var tail = WireBytes.Encode(frames[3]);
        stream.AddRange(tail.AsSpan(0, tail.Length - 1).ToArray());
        var buffer = WireBytes.Fragmented([.. stream], 13);

        var decoded = new List<Frame>();
        while (FrameCodec.TryReadFrame(ref buffer, WireLimits.FrameBytesMaxDefault, out var frame)) decoded.Add(frame);

        Assert.Equal(frames.Length, decoded.Count);
        Assert.All(frames.Zip(decoded), p => Assert.True(WireEquality.Same(p.First, p.Second)));
        Assert.Equal(tail.Length - 1, buffer.Length);
    }

    [Fact]
    public void LayoutOfAHeartbeatFrame_IsLittleEndianAsDocumented()
    {
        var bytes = WireBytes.Encode(new RaftMessagesFrame([new Heartbeat(new NodeId(1), new NodeId(2), new Term(3), new LogIndex(4), 5)]));

        byte[] expected =
        [
            46, 0, 0, 0, (byte)FrameType.RaftMessages,   // length = type 1 + count 4 + header 25 + fields 16
            1, 0, 0, 0,                                    // one message
            (byte)MessageKind.Heartbeat,
            1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0,
            4, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0,
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Encoder_RefusesFieldsOverTheirLimits()
    {
        var longCluster = new HandshakeFrame(1, new string('c', WireLimits.ClusterIdBytesMax + 1), new NodeId(1));
        var loneSurrogate = new HandshakeAckFrame(false, new NodeId(1), "\ud800");
        var longAddress = new JoinRequestFrame(1, new NodeId(1), new string('a', WireLimits.AddressBytesMax + 1), "", default);

        foreach (var frame in new Frame[] { longCluster, loneSurrogate, longAddress })
        {
            Assert.Equal(-1, FrameCodec.GetFrameBytes(frame));
            Assert.Throws<ArgumentException>(() => FrameCodec.Write(new ArrayBufferWriter<byte>(), frame));
        }
        Assert.True(FrameCodec.GetFrameBytes(longCluster with { ClusterId = new string('c', WireLimits.ClusterIdBytesMax) }) > 0);
    }

    [Fact]
    public void EncodedSizes_MatchTheTableInDesignMd()
    {
        var expected = new Dictionary<MessageKind, long>
        {
            [MessageKind.PreVoteRequest] = 42, [MessageKind.VoteRequest] = 42,
            [MessageKind.PreVoteResponse] = 26, [MessageKind.VoteResponse] = 26,
            [MessageKind.AppendEntriesResponse] = 51, [MessageKind.Heartbeat] = 41, [MessageKind.HeartbeatResponse] = 34,
            [MessageKind.ReadIndexRequest] = 33, [MessageKind.ReadIndexResponse] = 41, [MessageKind.TimeoutNow] = 25,
            [MessageKind.InstallSnapshotResponse] = 43,
        };
        foreach (var m in Samples.EveryMessageKind())
        {
            var size = MessageCodec.GetEncodedBytes(m);
            switch (m)
            {
                case AppendEntries a:
                    Assert.Equal(53 + a.Entries.Sum(e => 21 + e.Data.Length), size);
                    break;
                case InstallSnapshot s:
                    Assert.Equal(65 + MembershipCodec.EncodeMembership(s.Membership).Length + s.Data.Length, size);
                    break;
                default:
                    Assert.Equal(expected[m.Kind], size);
                    break;
            }
        }
    }
}

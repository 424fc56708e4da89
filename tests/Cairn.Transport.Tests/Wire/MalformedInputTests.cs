using System.Buffers;
using System.Buffers.Binary;
using Cairn.Consensus;
using Cairn.Transport.Wire;

namespace Cairn.Transport.Tests.Wire;

public sealed class MalformedInputTests
{
    private static NodeId N(ulong v) => new(v);

    /// <summary>Decodes and reports how many bytes the attempt allocated on this thread.</summary>
    private static (Exception? Error, long AllocatedBytes) TryDecode(byte[] bytes, int frameBytesMax = WireLimits.FrameBytesMaxDefault)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            var buffer = new ReadOnlySequence<byte>(bytes);
            FrameCodec.TryReadFrame(ref buffer, frameBytesMax, out _);
            return (null, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        catch (Exception e)
        {
            return (e, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    private static void AssertRejected(byte[] bytes, string because, long allocatedBytesMax = 64 * 1024)
    {
        var (error, allocated) = TryDecode(bytes);
        Assert.True(error is FrameFormatException, $"{because}: expected FrameFormatException, got {error?.GetType().Name ?? "success"} {error?.Message}");
        Assert.True(allocated <= allocatedBytesMax, $"{because}: allocated {allocated} bytes");
    }

    private static byte[] Batch(params Message[] messages) => WireBytes.Encode(new RaftMessagesFrame(messages));

    [Fact]
    public void EveryPrefix_OfEveryFrameType_WaitsForMoreBytes()
    {
        foreach (var frame in Samples.EveryFrameType())
        {
            var bytes = WireBytes.Encode(frame);
            for (var cut = 0; cut < bytes.Length; cut++)
            {
                var buffer = new ReadOnlySequence<byte>(bytes, 0, cut);
                Assert.False(FrameCodec.TryReadFrame(ref buffer, WireLimits.FrameBytesMaxDefault, out _), $"{frame.Type} cut at {cut}");
                Assert.Equal(cut, buffer.Length);
            }
        }
    }

    [Fact]
    public void EveryTruncatedPayload_OfEveryFrameType_IsRejected()
    {
        foreach (var frame in Samples.EveryFrameType())
        {
            var bytes = WireBytes.Encode(frame);
            for (var payload = 0; payload < bytes.Length - 5; payload++)
                AssertRejected(WireBytes.Shortened(bytes, payload), $"{frame.Type} with payload cut at {payload}");
        }
    }

    [Fact]
    public void EveryTruncation_OfEveryMessageKind_IsRejected()
    {
        foreach (var message in Samples.EveryMessageKind())
        {
            var bytes = Batch(message);
            // Keep the frame header and the count, cut inside the message.
            for (var payload = 4; payload < bytes.Length - 5; payload++)
                AssertRejected(WireBytes.Shortened(bytes, payload), $"{message.Kind} cut at {payload}");
        }
    }

    [Fact]
    public void HugeOrZeroLengthPrefixes_AreRejected_BeforeThePayloadArrives()
    {
        foreach (var length in new uint[] { 0, WireLimits.FrameBytesMaxDefault + 1u, int.MaxValue, uint.MaxValue })
            AssertRejected(WireBytes.RawFrame(length, (byte)FrameType.RaftMessages, []), $"length {length}", allocatedBytesMax: 1024);

        // A frame of exactly the limit is legal and simply waits for its bytes.
        var atLimit = new ReadOnlySequence<byte>(WireBytes.RawFrame(WireLimits.FrameBytesMaxDefault, (byte)FrameType.RaftMessages, []));
        Assert.False(FrameCodec.TryReadFrame(ref atLimit, WireLimits.FrameBytesMaxDefault, out _));
        // A smaller configured limit is honoured.
        var (error, _) = TryDecode(WireBytes.Encode(new ForwardProposalFrame(1, new byte[5000])), frameBytesMax: 4096);
        Assert.IsType<FrameFormatException>(error);
    }

    [Fact]
    public void UnknownFrameTypes_AreRejected()
    {
        foreach (var type in new byte[] { 0, 8, 200, 255 })
            AssertRejected(WireBytes.RawFrame(5, type, [0, 0, 0, 0]), $"type {type}");
    }

    [Fact]
    public void CountsAndLengths_LargerThanTheFrame_AreRejected_WithoutAllocating()
    {
        var hugeCount = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(hugeCount, uint.MaxValue);
        AssertRejected(WireBytes.RawFrame(9, (byte)FrameType.RaftMessages, hugeCount), "message count 2^32-1", 1024);
        BinaryPrimitives.WriteUInt32LittleEndian(hugeCount, 1000);
        AssertRejected(WireBytes.RawFrame(9, (byte)FrameType.RaftMessages, hugeCount), "1000 messages in 4 bytes", 1024);

        // A forwarded proposal whose blob claims 4 GiB.
        var blob = new byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(8), uint.MaxValue);
        AssertRejected(WireBytes.RawFrame(13, (byte)FrameType.ForwardProposal, blob), "blob length 2^32-1", 1024);

        // An AppendEntries whose entry count is far beyond the bytes present.
        var append = Batch(new AppendEntries(N(1), N(2), new Term(1), LogIndex.Zero, Term.Zero, LogIndex.Zero, []));
        BinaryPrimitives.WriteUInt32LittleEndian(append.AsSpan(append.Length - 4), WireLimits.EntriesPerMessageMax);
        AssertRejected(append, "entry count at the limit with no entries", 4096);
        BinaryPrimitives.WriteUInt32LittleEndian(append.AsSpan(append.Length - 4), uint.MaxValue);
        AssertRejected(append, "entry count 2^32-1", 4096);

        // A handshake whose cluster id claims more than the limit.
        var handshake = WireBytes.Encode(new HandshakeFrame(1, "c", N(1)));
        BinaryPrimitives.WriteUInt16LittleEndian(handshake.AsSpan(5 + 5 + 2), WireLimits.ClusterIdBytesMax + 1);
        AssertRejected(handshake, "cluster id over its limit", 1024);
    }

    [Fact]
    public void MessagesThatWouldTripTheConsensusCore_AreRejected()
    {
        var t = new Term(5);
        var cases = new (string Name, Message Message)[]
        {
            ("from none", new Heartbeat(NodeId.None, N(2), t, LogIndex.Zero, 0)),
            ("to none", new Heartbeat(N(1), NodeId.None, t, LogIndex.Zero, 0)),
            ("to self", new Heartbeat(N(1), N(1), t, LogIndex.Zero, 0)),
            ("gap in entries", new AppendEntries(N(1), N(2), t, new LogIndex(3), t, LogIndex.Zero,
                [new Entry(t, new LogIndex(4), EntryKind.Normal, default), new Entry(t, new LogIndex(6), EntryKind.Normal, default)])),
            ("first entry not after prev", new AppendEntries(N(1), N(2), t, new LogIndex(3), t, LogIndex.Zero,
                [new Entry(t, new LogIndex(3), EntryKind.Normal, default)])),
            ("entry term above the message term", new AppendEntries(N(1), N(2), t, LogIndex.Zero, Term.Zero, LogIndex.Zero,
                [new Entry(new Term(6), new LogIndex(1), EntryKind.Normal, default)])),
            ("entry terms decrease", new AppendEntries(N(1), N(2), t, LogIndex.Zero, Term.Zero, LogIndex.Zero,
                [new Entry(new Term(4), new LogIndex(1), EntryKind.Normal, default), new Entry(new Term(3), new LogIndex(2), EntryKind.Normal, default)])),
            ("entry term below prev term", new AppendEntries(N(1), N(2), t, new LogIndex(1), new Term(4), LogIndex.Zero,
                [new Entry(new Term(3), new LogIndex(2), EntryKind.Normal, default)])),
            ("unknown entry kind", new AppendEntries(N(1), N(2), t, LogIndex.Zero, Term.Zero, LogIndex.Zero,
                [new Entry(t, new LogIndex(1), (EntryKind)7, default)])),
            ("garbage membership entry", new AppendEntries(N(1), N(2), t, LogIndex.Zero, Term.Zero, LogIndex.Zero,
                [new Entry(t, new LogIndex(1), EntryKind.Membership, new byte[] { 9, 9, 9 })])),
            ("entry indexes overflow", new AppendEntries(N(1), N(2), t, new LogIndex(ulong.MaxValue), t, LogIndex.Zero,
                [new Entry(t, LogIndex.Zero, EntryKind.Normal, default)])),
            ("snapshot chunk past its total", new InstallSnapshot(N(1), N(2), t, new LogIndex(9), t, Membership.OfVoters(1, 2), 4, 2, new byte[3])),
            ("negative snapshot total", new InstallSnapshot(N(1), N(2), t, new LogIndex(9), t, Membership.OfVoters(1, 2), -1, 0, default)),
            ("negative snapshot offset", new InstallSnapshot(N(1), N(2), t, new LogIndex(9), t, Membership.OfVoters(1, 2), 10, -4, new byte[3])),
            ("negative acknowledged offset", new InstallSnapshotResponse(N(2), N(1), t, new LogIndex(9), -1, false)),
        };
        foreach (var (name, message) in cases) AssertRejected(Batch(message), name);
    }

    [Fact]
    public void CorruptFieldValues_AreRejected()
    {
        var vote = Batch(new VoteResponse(N(2), N(1), new Term(1), PreVote: false, Granted: true));
        vote[^1] = 2;
        AssertRejected(vote, "boolean 2");

        var unknownKind = Batch(new TimeoutNow(N(1), N(2), new Term(1)));
        unknownKind[9] = 99;
        AssertRejected(unknownKind, "message kind 99");

        var snapshot = Batch(new InstallSnapshot(N(1), N(2), new Term(1), new LogIndex(1), new Term(1), Membership.OfVoters(1, 2), 3, 0, new byte[3]));
        snapshot[9 + 25 + 16 + 4] = 77; // the membership blob's version byte
        AssertRejected(snapshot, "membership with an unknown version");

        var badMagic = WireBytes.Encode(new HandshakeFrame(1, "c", N(1)));
        badMagic[5] = (byte)'X';
        AssertRejected(badMagic, "bad magic");

        AssertRejected(WireBytes.Encode(new HandshakeFrame(1, "c", NodeId.None)), "handshake from node 0");

        var badUtf8 = WireBytes.Encode(new HandshakeFrame(1, "ab", N(1)));
        badUtf8[5 + 5 + 2 + 2] = 0xC3; // a lead byte followed by 'b' is not UTF-8
        AssertRejected(badUtf8, "invalid UTF-8");

        var padded = WireBytes.Encode(new ForwardProposalFrame(1, new byte[3]));
        var withTrailer = WireBytes.RawFrame((uint)(padded.Length - 4 + 1), padded[4], [.. padded.AsSpan(5), 0]);
        AssertRejected(withTrailer, "a trailing byte");
    }
}

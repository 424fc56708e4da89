using System.Buffers;
using Cairn.Consensus;

namespace Cairn.Transport.Wire;

public static partial class MessageCodec
{
    /// <summary>
    /// Reads one message. Throws <see cref="FrameFormatException"/> on anything a correct peer never sends: truncation,
    /// an unknown kind, a length or count past the input, and messages that would trip the consensus core's assertions
    /// (missing or self addressing, non-contiguous entries, snapshot chunks outside their snapshot).
    /// </summary>
    public static Message Read(ref SequenceReader<byte> reader)
    {
        var kind = WireReader.U8(ref reader, "message kind");
        var from = new NodeId(WireReader.U64(ref reader, "from"));
        var to = new NodeId(WireReader.U64(ref reader, "to"));
        var term = new Term(WireReader.U64(ref reader, "term"));
        if (from.IsNone || to.IsNone || from == to) throw new FrameFormatException($"message addressed from {from} to {to}");
        return (MessageKind)kind switch
        {
            MessageKind.PreVoteRequest => ReadVoteRequest(ref reader, from, to, term, preVote: true),
            MessageKind.VoteRequest => ReadVoteRequest(ref reader, from, to, term, preVote: false),
            MessageKind.PreVoteResponse => new VoteResponse(from, to, term, PreVote: true, WireReader.Bool(ref reader, "granted")),
            MessageKind.VoteResponse => new VoteResponse(from, to, term, PreVote: false, WireReader.Bool(ref reader, "granted")),
            MessageKind.AppendEntries => ReadAppendEntries(ref reader, from, to, term),
            MessageKind.AppendEntriesResponse => new AppendEntriesResponse(from, to, term,
                WireReader.Bool(ref reader, "success"),
                new LogIndex(WireReader.U64(ref reader, "index")),
                new LogIndex(WireReader.U64(ref reader, "reject hint index")),
                new Term(WireReader.U64(ref reader, "reject hint term")),
                WireReader.Bool(ref reader, "recovering")),
            MessageKind.Heartbeat => new Heartbeat(from, to, term,
                new LogIndex(WireReader.U64(ref reader, "commit")),
                WireReader.U64(ref reader, "read context")),
            MessageKind.HeartbeatResponse => new HeartbeatResponse(from, to, term,
                WireReader.U64(ref reader, "read context"),
                WireReader.Bool(ref reader, "recovering")),
            MessageKind.ReadIndexRequest => new ReadIndexRequest(from, to, term, WireReader.U64(ref reader, "request id")),
            MessageKind.ReadIndexResponse => new ReadIndexResponse(from, to, term,
                WireReader.U64(ref reader, "request id"),
                new LogIndex(WireReader.U64(ref reader, "read index"))),
            MessageKind.TimeoutNow => new TimeoutNow(from, to, term),
            MessageKind.InstallSnapshot => ReadInstallSnapshot(ref reader, from, to, term),
            MessageKind.InstallSnapshotResponse => ReadInstallSnapshotResponse(ref reader, from, to, term),
            _ => throw new FrameFormatException($"unknown message kind {kind}"),
        };
    }

    private static VoteRequest ReadVoteRequest(ref SequenceReader<byte> reader, NodeId from, NodeId to, Term term, bool preVote)
    {
        var lastIndex = new LogIndex(WireReader.U64(ref reader, "last log index"));
        var lastTerm = new Term(WireReader.U64(ref reader, "last log term"));
        var transfer = WireReader.Bool(ref reader, "transfer");
        return new VoteRequest(from, to, term, lastIndex, lastTerm, preVote, transfer);
    }

    private static AppendEntries ReadAppendEntries(ref SequenceReader<byte> reader, NodeId from, NodeId to, Term term)
    {
        var prevIndex = new LogIndex(WireReader.U64(ref reader, "prev log index"));
        var prevTerm = new Term(WireReader.U64(ref reader, "prev log term"));
        var commit = new LogIndex(WireReader.U64(ref reader, "leader commit"));
        var count = WireReader.Count(ref reader, "entry count", WireLimits.EntriesPerMessageMax, EntryHeaderBytes);
        if (count > 0 && prevIndex.Value > ulong.MaxValue - (ulong)count)
            throw new FrameFormatException("entry indexes overflow");
        var entries = count == 0 ? [] : new Entry[count];
        var previousTerm = prevTerm;
        for (var i = 0; i < count; i++)
        {
            var entry = ReadEntry(ref reader);
            // The log's own invariants: contiguous after prev, terms never decrease and never exceed the sender's term.
            if (entry.Index.Value != prevIndex.Value + 1 + (ulong)i)
                throw new FrameFormatException($"entry {i} has index {entry.Index}, expected {prevIndex.Value + 1 + (ulong)i}");
            if (entry.Term < previousTerm || entry.Term > term)
                throw new FrameFormatException($"entry {entry.Index} has term {entry.Term} outside [{previousTerm}, {term}]");
            previousTerm = entry.Term;
            entries[i] = entry;
        }
        return new AppendEntries(from, to, term, prevIndex, prevTerm, commit, entries);
    }

    private static Entry ReadEntry(ref SequenceReader<byte> reader)
    {
        var term = new Term(WireReader.U64(ref reader, "entry term"));
        var index = new LogIndex(WireReader.U64(ref reader, "entry index"));
        var kind = WireReader.U8(ref reader, "entry kind");
        var data = WireReader.Blob(ref reader, "entry data");
        switch ((EntryKind)kind)
        {
            case EntryKind.Normal:
                break;
            case EntryKind.Membership:
                // The consensus core decodes membership entries on its own thread; garbage there would stop the node.
                try
                {
                    MembershipCodec.DecodeEntry(data.Span);
                }
                catch (FormatException e)
                {
                    throw new FrameFormatException($"entry {index}: malformed membership change", e);
                }
                break;
            default:
                throw new FrameFormatException($"entry {index}: unknown entry kind {kind}");
        }
        return new Entry(term, index, (EntryKind)kind, data);
    }

    private static InstallSnapshot ReadInstallSnapshot(ref SequenceReader<byte> reader, NodeId from, NodeId to, Term term)
    {
        var index = new LogIndex(WireReader.U64(ref reader, "snapshot index"));
        var snapshotTerm = new Term(WireReader.U64(ref reader, "snapshot term"));
        var membershipBytes = WireReader.Blob(ref reader, "snapshot membership");
        Membership membership;
        try
        {
            membership = MembershipCodec.DecodeMembership(membershipBytes.Span);
        }
        catch (FormatException e)
        {
            throw new FrameFormatException("malformed snapshot membership", e);
        }
        var total = WireReader.I64(ref reader, "snapshot total bytes");
        var offset = WireReader.I64(ref reader, "snapshot offset");
        var data = WireReader.Blob(ref reader, "snapshot data");
        if (total < 0 || offset < 0 || offset > total - data.Length)
            throw new FrameFormatException($"snapshot chunk [{offset}, +{data.Length}) lies outside [0, {total})");
        return new InstallSnapshot(from, to, term, index, snapshotTerm, membership, total, offset, data);
    }

    private static InstallSnapshotResponse ReadInstallSnapshotResponse(ref SequenceReader<byte> reader, NodeId from, NodeId to, Term term)
    {
        var index = new LogIndex(WireReader.U64(ref reader, "snapshot index"));
        var next = WireReader.I64(ref reader, "next offset");
        var done = WireReader.Bool(ref reader, "done");
        var recovering = WireReader.Bool(ref reader, "recovering");
        if (next < 0) throw new FrameFormatException($"negative snapshot offset {next}");
        return new InstallSnapshotResponse(from, to, term, index, next, done, recovering);
    }
}

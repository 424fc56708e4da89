using Cairn.Consensus;
using Cairn.Transport.Wire;
using FsCheck;
using FsCheck.Fluent;

namespace Cairn.Transport.Tests.Wire;

/// <summary>FsCheck generators for every consensus message kind and every frame type, valid by construction.</summary>
internal static class WireGen
{
    private static readonly Gen<uint> U32Any = Gen.Choose(int.MinValue, int.MaxValue).Select(i => unchecked((uint)i));

    /// <summary>Small values, full-range values and the edges, so both ends of every field are exercised.</summary>
    public static readonly Gen<ulong> U64 = Gen.Frequency(
        (3, Gen.Choose(0, 20).Select(i => (ulong)i)),
        (3, from hi in U32Any from lo in U32Any select ((ulong)hi << 32) | lo),
        (1, Gen.Elements(ulong.MaxValue, ulong.MaxValue - 1, 1UL << 63)));

    public static readonly Gen<NodeId> Node = U64.Select(v => new NodeId(v == 0 ? 1 : v));

    public static readonly Gen<bool> Bool = Gen.Elements(true, false);

    public static readonly Gen<byte> Byte = Gen.Choose(0, 255).Select(i => (byte)i);

    public static readonly Gen<byte[]> Bytes = Gen.Frequency(
            (4, Gen.Choose(0, 16)),
            (2, Gen.Choose(17, 300)),
            (1, Gen.Choose(301, 5000)))
        .SelectMany(n => Gen.ArrayOf(Byte, n));

    /// <summary>Distinct (from, to) pairs with neither zero, as every real message has.</summary>
    public static readonly Gen<(NodeId From, NodeId To)> Route =
        from a in Node
        from b in Node
        select a == b ? (a, new NodeId(a.Value == 1 ? 2UL : 1UL)) : (a, b);

    public static readonly Gen<Membership> Membership =
        from voters in Gen.ListOf(Gen.Choose(1, 60))
        from learners in Gen.ListOf(Gen.Choose(61, 90))
        select new Membership(voters.Select(v => new NodeId((ulong)v)), learners.Select(l => new NodeId((ulong)l)));

    private static readonly Gen<MembershipChange> Change =
        from kind in Gen.Choose(1, 4)
        from node in Gen.Choose(1, 100)
        select new MembershipChange((MembershipChangeKind)kind, new NodeId((ulong)node));

    private static readonly Gen<(EntryKind Kind, byte[] Data)> EntryPayload = Gen.Frequency(
        (4, Bytes.Select(b => (EntryKind.Normal, b))),
        (1, from change in Change
            from membership in Membership
            select (EntryKind.Membership, MembershipCodec.Encode(new MembershipEntry(change, membership)))));

    private static readonly Gen<Message> VoteRequests =
        from route in Route
        from term in U64
        from last in U64
        from lastTerm in U64
        from preVote in Bool
        from transfer in Bool
        select (Message)new VoteRequest(route.From, route.To, new Term(term), new LogIndex(last), new Term(lastTerm), preVote, transfer);

    private static readonly Gen<Message> VoteResponses =
        from route in Route
        from term in U64
        from preVote in Bool
        from granted in Bool
        select (Message)new VoteResponse(route.From, route.To, new Term(term), preVote, granted);

    /// <summary>Entries contiguous after prev with non-decreasing terms capped by the message term, as a leader sends them.</summary>
    private static readonly Gen<Message> AppendEntriesMessages =
        from route in Route
        from prevRaw in U64
        from baseRaw in U64
        from commit in U64
        from count in Gen.Frequency((3, Gen.Choose(0, 5)), (1, Gen.Choose(6, 40)))
        from items in Gen.ListOf(from delta in Gen.Choose(0, 2) from payload in EntryPayload select (delta, payload), count)
        from extra in Gen.Choose(0, 3)
        select (Message)BuildAppend(route, Math.Min(prevRaw, ulong.MaxValue - 64), Math.Min(baseRaw, ulong.MaxValue - 1000), commit, items, extra);

    private static AppendEntries BuildAppend((NodeId From, NodeId To) route, ulong prev, ulong baseTerm, ulong commit,
        IEnumerable<(int Delta, (EntryKind Kind, byte[] Data) Payload)> items, int extra)
    {
        var entries = new List<Entry>();
        var termNow = baseTerm;
        foreach (var (delta, (kind, data)) in items)
        {
            termNow += (ulong)delta;
            entries.Add(new Entry(new Term(termNow), new LogIndex(prev + 1 + (ulong)entries.Count), kind, data));
        }
        return new AppendEntries(route.From, route.To, new Term(termNow + (ulong)extra), new LogIndex(prev), new Term(baseTerm),
            new LogIndex(commit), entries);
    }

    private static readonly Gen<Message> AppendResponses =
        from route in Route
        from term in U64
        from success in Bool
        from index in U64
        from hintIndex in U64
        from hintTerm in U64
        from recovering in Bool
        select (Message)new AppendEntriesResponse(route.From, route.To, new Term(term), success, new LogIndex(index), new LogIndex(hintIndex),
            new Term(hintTerm), recovering);

    private static readonly Gen<Message> Small =
        from route in Route
        from a in U64
        from b in U64
        from c in U64
        from which in Gen.Choose(0, 4)
        from flag in Bool
        select which switch
        {
            0 => (Message)new Heartbeat(route.From, route.To, new Term(a), new LogIndex(b), c),
            1 => new HeartbeatResponse(route.From, route.To, new Term(a), b, flag),
            2 => new ReadIndexRequest(route.From, route.To, new Term(a), b),
            3 => new ReadIndexResponse(route.From, route.To, new Term(a), b, new LogIndex(c)),
            _ => new TimeoutNow(route.From, route.To, new Term(a)),
        };

    private static readonly Gen<Message> Snapshots =
        from route in Route
        from term in U64
        from index in U64
        from snapTerm in U64
        from membership in Membership
        from data in Bytes
        from offset in Gen.Frequency((1, Gen.Constant(0)), (2, Gen.Choose(0, int.MaxValue)))
        from extra in Gen.Frequency((1, Gen.Constant(0)), (2, Gen.Choose(0, 100_000)))
        select (Message)new InstallSnapshot(route.From, route.To, new Term(term), new LogIndex(index), new Term(snapTerm), membership,
            offset + (long)data.Length + extra, offset, data);

    private static readonly Gen<Message> SnapshotResponses =
        from route in Route
        from term in U64
        from index in U64
        from next in Gen.Choose(0, int.MaxValue)
        from done in Bool
        from recovering in Bool
        select (Message)new InstallSnapshotResponse(route.From, route.To, new Term(term), new LogIndex(index), next * 3L, done, recovering);

    public static readonly Gen<Message> Message = Gen.OneOf(
        VoteRequests, VoteResponses, AppendEntriesMessages, AppendResponses, Small, Snapshots, SnapshotResponses);

    private static readonly Gen<string> ShortText =
        from n in Gen.Choose(0, 20)
        from chars in Gen.ArrayOf(Gen.Elements('a', 'z', '0', '.', ':', '-', 'é', '東', ' '), n)
        select new string(chars);

    private static readonly Gen<Frame> Handshakes =
        from version in Gen.Choose(0, 65535)
        from cluster in ShortText
        from node in Node
        select (Frame)new HandshakeFrame((ushort)version, cluster, node);

    private static readonly Gen<Frame> Acks =
        from accepted in Bool
        from node in U64
        from reason in ShortText
        select (Frame)new HandshakeAckFrame(accepted, new NodeId(node), reason);

    private static readonly Gen<Frame> Batches =
        from n in Gen.Frequency((4, Gen.Choose(0, 6)), (1, Gen.Choose(7, 30)))
        from messages in Gen.ArrayOf(Message, n)
        select (Frame)new RaftMessagesFrame(messages);

    private static readonly Gen<Frame> Forwards =
        from id in U64
        from status in Byte
        from payload in Bytes
        from result in Bool
        select result ? (Frame)new ForwardResultFrame(id, status, payload) : new ForwardProposalFrame(id, payload);

    private static readonly Gen<Frame> Joins =
        from id in U64
        from status in Byte
        from node in U64
        from peer in ShortText
        from http in ShortText
        from payload in Bytes
        from response in Bool
        select response
            ? (Frame)new JoinResponseFrame(id, status, new NodeId(node), peer, http, payload)
            : new JoinRequestFrame(id, new NodeId(node), peer, http, payload);

    public static readonly Gen<Frame> Frame = Gen.OneOf(Handshakes, Acks, Batches, Forwards, Joins);
}

using Cairn.Consensus;
using Cairn.Transport.Wire;

namespace Cairn.Transport.Tests.Wire;

/// <summary>One hand-written instance of every message kind and every frame type.</summary>
internal static class Samples
{
    private static NodeId N(ulong v) => new(v);
    private static Term T(ulong v) => new(v);
    private static LogIndex I(ulong v) => new(v);

    public static Message[] EveryMessageKind() =>
    [
        new VoteRequest(N(1), N(2), T(5), I(10), T(4), PreVote: true, Transfer: false),
        new VoteRequest(N(1), N(2), T(5), I(10), T(4), PreVote: false, Transfer: true),
        new VoteResponse(N(2), N(1), T(5), PreVote: true, Granted: true),
        new VoteResponse(N(2), N(1), T(5), PreVote: false, Granted: false),
        new AppendEntries(N(1), N(3), T(7), I(9), T(6), I(8),
        [
            new Entry(T(6), I(10), EntryKind.Normal, "put a"u8.ToArray()),
            new Entry(T(7), I(11), EntryKind.Normal, ReadOnlyMemory<byte>.Empty),
            new Entry(T(7), I(12), EntryKind.Membership,
                MembershipCodec.Encode(new MembershipEntry(new MembershipChange(MembershipChangeKind.AddLearner, N(4)), new Membership([N(1), N(2), N(3)], [N(4)])))),
        ]),
        new AppendEntriesResponse(N(3), N(1), T(7), Success: false, I(9), I(5), T(3), Recovering: true),
        new Heartbeat(N(1), N(2), T(7), I(12), 99),
        new HeartbeatResponse(N(2), N(1), T(7), 99, Recovering: true),
        new ReadIndexRequest(N(2), N(1), T(7), 1234),
        new ReadIndexResponse(N(1), N(2), T(7), 1234, I(12)),
        new TimeoutNow(N(1), N(2), T(7)),
        new InstallSnapshot(N(1), N(3), T(7), I(100), T(6), Membership.OfVoters(1, 2, 3), 10, 4, new byte[] { 1, 2, 3 }),
        new InstallSnapshotResponse(N(3), N(1), T(7), I(100), 7, Done: false, Recovering: true),
    ];

    public static Frame[] EveryFrameType() =>
    [
        new HandshakeFrame(WireLimits.ProtocolVersion, "cluster-a", N(1)),
        new HandshakeAckFrame(false, N(2), "wrong cluster id"),
        new RaftMessagesFrame(EveryMessageKind()),
        new ForwardProposalFrame(42, "command"u8.ToArray()),
        new ForwardResultFrame(42, 3, "result"u8.ToArray()),
        new JoinRequestFrame(7, N(4), "10.0.0.4:7001", "http://10.0.0.4:8080", "hello"u8.ToArray()),
        new JoinResponseFrame(7, 1, N(1), "10.0.0.1:7001", "http://10.0.0.1:8080", "config"u8.ToArray()),
    ];
}

using Cairn.Consensus;
using FsCheck;
using FsCheck.Fluent;
using static Cairn.Consensus.Tests.Harness.Script;

namespace Cairn.Consensus.Tests;

public sealed class MembershipCodecTests
{
    [Fact]
    public void Entry_RoundTrips_ForAnyConfiguration()
    {
        Prop.ForAll((ulong[] rawVoters, ulong[] rawLearners, ulong node) =>
        {
            var voters = rawVoters.Where(v => v != 0).Distinct().ToArray();
            var learners = rawLearners.Where(l => l != 0 && !voters.Contains(l)).Distinct().ToArray();
            var membership = new Membership(voters.Select(N), learners.Select(N));
            var change = new MembershipChange((MembershipChangeKind)(1 + (node % 4)), N(node));

            var decoded = MembershipCodec.DecodeEntry(MembershipCodec.Encode(new MembershipEntry(change, membership)));

            return decoded.Change == change && decoded.Result.Equals(membership);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Decoder_RejectsTruncatedOrPaddedInput()
    {
        var bytes = MembershipCodec.EncodeMembership(Membership.OfVoters(1, 2, 3));

        for (var cut = 0; cut < bytes.Length; cut++)
        {
            var prefix = bytes[..cut];
            Assert.Throws<FormatException>(() => MembershipCodec.DecodeMembership(prefix));
        }
        Assert.Throws<FormatException>(() => MembershipCodec.DecodeMembership([.. bytes, 0]));
        Assert.Equal(Membership.OfVoters(1, 2, 3), MembershipCodec.DecodeMembership(bytes));
    }

    [Fact]
    public void Membership_IsSortedAndDeduplicated_AndRejectsOverlap()
    {
        var m = new Membership([N(3), N(1), N(3)], [N(5), N(4)]);

        Assert.Equal([N(1), N(3)], m.Voters);
        Assert.Equal([N(1), N(3), N(4), N(5)], m.Members);
        Assert.Equal(2, m.Quorum);
        Assert.Throws<ArgumentException>(() => new Membership([N(1)], [N(1)]));
        Assert.Throws<ArgumentException>(() => new Membership([N(0)], []));
    }
}

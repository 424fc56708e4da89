using Cairn.Consensus;
using Cairn.Transport.Wire;

namespace Cairn.Transport.Tests.Wire;

/// <summary>
/// Field-by-field equality written without the codec (so a field the codec forgets cannot hide on both sides).
/// Records compare memory and lists by reference; this compares their contents.
/// </summary>
internal static class WireEquality
{
    public static bool Same(Message a, Message b) => (a, b) switch
    {
        (AppendEntries x, AppendEntries y) =>
            x with { Entries = [] } == y with { Entries = [] } &&
            x.Entries.Count == y.Entries.Count &&
            x.Entries.Zip(y.Entries).All(p => Same(p.First, p.Second)),
        (InstallSnapshot x, InstallSnapshot y) =>
            x.From == y.From && x.To == y.To && x.Term == y.Term && x.SnapshotIndex == y.SnapshotIndex &&
            x.SnapshotTerm == y.SnapshotTerm && x.Membership.Equals(y.Membership) && x.TotalBytes == y.TotalBytes &&
            x.Offset == y.Offset && x.Data.Span.SequenceEqual(y.Data.Span),
        _ => a.GetType() == b.GetType() && a.Equals(b),
    };

    public static bool Same(Entry a, Entry b) =>
        a.Term == b.Term && a.Index == b.Index && a.Kind == b.Kind && a.Data.Span.SequenceEqual(b.Data.Span);

    public static bool Same(Frame a, Frame b) => (a, b) switch
    {
        (RaftMessagesFrame x, RaftMessagesFrame y) =>
            x.Messages.Count == y.Messages.Count && x.Messages.Zip(y.Messages).All(p => Same(p.First, p.Second)),
        (ForwardProposalFrame x, ForwardProposalFrame y) =>
            x.CorrelationId == y.CorrelationId && x.Payload.Span.SequenceEqual(y.Payload.Span),
        (ForwardResultFrame x, ForwardResultFrame y) =>
            x.CorrelationId == y.CorrelationId && x.Status == y.Status && x.Payload.Span.SequenceEqual(y.Payload.Span),
        (JoinRequestFrame x, JoinRequestFrame y) =>
            x with { Payload = default } == y with { Payload = default } && x.Payload.Span.SequenceEqual(y.Payload.Span),
        (JoinResponseFrame x, JoinResponseFrame y) =>
            x with { Payload = default } == y with { Payload = default } && x.Payload.Span.SequenceEqual(y.Payload.Span),
        _ => a.GetType() == b.GetType() && a.Equals(b),
    };
}

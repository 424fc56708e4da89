using System.Buffers;
using Cairn.Consensus;

namespace Cairn.Transport.Wire;

/// <summary>
/// Hand-written little-endian encoding of every consensus <see cref="Message"/>.
/// Layout: [u8 kind][u64 from][u64 to][u64 term] then the kind's fields (see DESIGN.md for the table).
/// Entries are [u64 term][u64 index][u8 kind][u32 length][data].
/// </summary>
public static partial class MessageCodec
{
    /// <summary>kind + from + to + term.</summary>
    public const int HeaderBytes = 1 + 8 + 8 + 8;

    /// <summary>An entry without its data: term + index + kind + length.</summary>
    public const int EntryHeaderBytes = 8 + 8 + 1 + 4;

    /// <summary>Exact encoded size of <paramref name="message"/>.</summary>
    public static long GetEncodedBytes(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return HeaderBytes + message switch
        {
            VoteRequest => 8 + 8 + 1,
            VoteResponse => 1,
            AppendEntries a => 8 + 8 + 8 + 4 + EntriesBytes(a.Entries),
            AppendEntriesResponse => 1 + 8 + 8 + 8 + 1,
            Heartbeat => 8 + 8,
            HeartbeatResponse => 8 + 1,
            ReadIndexRequest => 8,
            ReadIndexResponse => 8 + 8,
            TimeoutNow => 0,
            InstallSnapshot s => 8 + 8 + 4 + MembershipCodec.EncodeMembership(s.Membership).Length + 8 + 8 + 4 + s.Data.Length,
            InstallSnapshotResponse => 8 + 8 + 1 + 1,
            _ => throw new ArgumentException($"no codec for {message.GetType().Name}", nameof(message)),
        };
    }

    /// <summary>Writes <paramref name="message"/> to <paramref name="output"/> (benchmark-friendly: no intermediate buffer).</summary>
    public static void Write(IBufferWriter<byte> output, Message message)
    {
        ArgumentNullException.ThrowIfNull(output);
        var writer = new WireWriter(output);
        Write(ref writer, message);
        writer.Flush();
    }

    internal static void Write(ref WireWriter w, Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        w.U8((byte)message.Kind);
        w.U64(message.From.Value);
        w.U64(message.To.Value);
        w.U64(message.Term.Value);
        switch (message)
        {
            case VoteRequest v:
                w.U64(v.LastLogIndex.Value);
                w.U64(v.LastLogTerm.Value);
                w.Bool(v.Transfer);
                break;
            case VoteResponse v:
                w.Bool(v.Granted);
                break;
            case AppendEntries a:
                w.U64(a.PrevLogIndex.Value);
                w.U64(a.PrevLogTerm.Value);
                w.U64(a.LeaderCommit.Value);
                w.U32((uint)a.Entries.Count);
                foreach (var e in a.Entries)
                {
                    w.U64(e.Term.Value);
                    w.U64(e.Index.Value);
                    w.U8((byte)e.Kind);
                    w.Blob(e.Data.Span);
                }
                break;
            case AppendEntriesResponse r:
                w.Bool(r.Success);
                w.U64(r.Index.Value);
                w.U64(r.RejectHintIndex.Value);
                w.U64(r.RejectHintTerm.Value);
                w.Bool(r.Recovering);
                break;
            case Heartbeat h:
                w.U64(h.Commit.Value);
                w.U64(h.ReadContext);
                break;
            case HeartbeatResponse h:
                w.U64(h.ReadContext);
                w.Bool(h.Recovering);
                break;
            case ReadIndexRequest r:
                w.U64(r.RequestId);
                break;
            case ReadIndexResponse r:
                w.U64(r.RequestId);
                w.U64(r.ReadIndex.Value);
                break;
            case TimeoutNow:
                break;
            case InstallSnapshot s:
                w.U64(s.SnapshotIndex.Value);
                w.U64(s.SnapshotTerm.Value);
                w.Blob(MembershipCodec.EncodeMembership(s.Membership));
                w.I64(s.TotalBytes);
                w.I64(s.Offset);
                w.Blob(s.Data.Span);
                break;
            case InstallSnapshotResponse r:
                w.U64(r.SnapshotIndex.Value);
                w.I64(r.NextOffset);
                w.Bool(r.Done);
                w.Bool(r.Recovering);
                break;
            default:
                throw new ArgumentException($"no codec for {message.GetType().Name}", nameof(message));
        }
    }

    private static long EntriesBytes(IReadOnlyList<Entry> entries)
    {
        long total = 0;
        for (var i = 0; i < entries.Count; i++) total += EntryHeaderBytes + entries[i].Data.Length;
        return total;
    }
}

namespace Cairn.Consensus;

/// <summary>What an entry's <see cref="Entry.Data"/> holds.</summary>
public enum EntryKind : byte
{
    /// <summary>An application command (opaque to consensus); empty data is the leader's no-op.</summary>
    Normal = 0,

    /// <summary>A single-server membership change, encoded with <see cref="MembershipCodec"/>.</summary>
    Membership = 1,
}

/// <summary>One replicated log entry. Plain data: a transport codec writes the four fields as they are.</summary>
/// <param name="Term">The term of the leader that created the entry.</param>
/// <param name="Index">Its position in the log (1-based; 0 is "before the log").</param>
/// <param name="Kind">Normal command or membership change.</param>
/// <param name="Data">The payload; consensus never interprets Normal payloads.</param>
public sealed record Entry(Term Term, LogIndex Index, EntryKind Kind, ReadOnlyMemory<byte> Data)
{
    /// <summary>Fixed per-entry cost counted by every byte limit, so that empty entries are not free.</summary>
    public const int OverheadBytes = 24;

    /// <summary>The bytes this entry counts against message, apply and uncommitted limits.</summary>
    public long SizeBytes => Data.Length + OverheadBytes;

    public override string ToString() => $"{Index}@{Term}:{Kind}[{Data.Length}]";
}

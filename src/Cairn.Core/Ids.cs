namespace Cairn;

/// <summary>A cluster member's identity. Zero is "none" (no leader, no vote).</summary>
public readonly record struct NodeId(ulong Value) : IComparable<NodeId>
{
    public static NodeId None => default;
    public bool IsNone => Value == 0;
    public int CompareTo(NodeId other) => Value.CompareTo(other.Value);
    public static bool operator <(NodeId a, NodeId b) => a.Value < b.Value;
    public static bool operator >(NodeId a, NodeId b) => a.Value > b.Value;
    public static bool operator <=(NodeId a, NodeId b) => a.Value <= b.Value;
    public static bool operator >=(NodeId a, NodeId b) => a.Value >= b.Value;
    public override string ToString() => IsNone ? "none" : $"n{Value}";
}

/// <summary>A Raft term. Terms only grow on a node.</summary>
public readonly record struct Term(ulong Value) : IComparable<Term>
{
    public static Term Zero => default;
    public Term Next => new(Value + 1);
    public int CompareTo(Term other) => Value.CompareTo(other.Value);
    public static bool operator <(Term a, Term b) => a.Value < b.Value;
    public static bool operator >(Term a, Term b) => a.Value > b.Value;
    public static bool operator <=(Term a, Term b) => a.Value <= b.Value;
    public static bool operator >=(Term a, Term b) => a.Value >= b.Value;
    public override string ToString() => Value.ToString();
}

/// <summary>A position in the replicated log; also the store revision of the command at that position.</summary>
public readonly record struct LogIndex(ulong Value) : IComparable<LogIndex>
{
    public static LogIndex Zero => default;
    public LogIndex Next => new(Value + 1);
    public LogIndex Prev => Value == 0 ? throw new InvalidOperationException("index 0 has no predecessor") : new(Value - 1);
    public int CompareTo(LogIndex other) => Value.CompareTo(other.Value);
    public static bool operator <(LogIndex a, LogIndex b) => a.Value < b.Value;
    public static bool operator >(LogIndex a, LogIndex b) => a.Value > b.Value;
    public static bool operator <=(LogIndex a, LogIndex b) => a.Value <= b.Value;
    public static bool operator >=(LogIndex a, LogIndex b) => a.Value >= b.Value;
    public static LogIndex Min(LogIndex a, LogIndex b) => a <= b ? a : b;
    public static LogIndex Max(LogIndex a, LogIndex b) => a >= b ? a : b;
    public override string ToString() => Value.ToString();
}

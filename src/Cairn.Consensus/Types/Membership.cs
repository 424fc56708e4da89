namespace Cairn.Consensus;

/// <summary>
/// A cluster configuration: voters elect and count for commit; learners only receive the log.
/// Immutable; both lists are sorted by <see cref="NodeId"/> so iteration order is deterministic.
/// </summary>
public sealed class Membership : IEquatable<Membership>
{
    private readonly NodeId[] _voters;
    private readonly NodeId[] _learners;
    private readonly NodeId[] _all;

    /// <summary>No members: the configuration of a node that joins an existing cluster and waits to learn it.</summary>
    public static Membership Empty { get; } = new([], []);

    public Membership(IEnumerable<NodeId> voters, IEnumerable<NodeId> learners)
    {
        ArgumentNullException.ThrowIfNull(voters);
        ArgumentNullException.ThrowIfNull(learners);
        _voters = voters.Distinct().Order().ToArray();
        _learners = learners.Distinct().Order().ToArray();
        if (_voters.Any(v => v.IsNone) || _learners.Any(l => l.IsNone))
            throw new ArgumentException("a member id must not be NodeId.None");
        if (_voters.Intersect(_learners).Any())
            throw new ArgumentException("a node cannot be both a voter and a learner");
        _all = _voters.Concat(_learners).Order().ToArray();
    }

    /// <summary>Convenience for tests and bootstrap: voters only.</summary>
    public static Membership OfVoters(params ulong[] voters) => new(voters.Select(v => new NodeId(v)), []);

    /// <summary>Voters, sorted ascending.</summary>
    public IReadOnlyList<NodeId> Voters => _voters;

    /// <summary>Learners, sorted ascending.</summary>
    public IReadOnlyList<NodeId> Learners => _learners;

    /// <summary>Voters and learners, sorted ascending: the order in which a leader addresses peers.</summary>
    public IReadOnlyList<NodeId> Members => _all;

    /// <summary>Votes (or acknowledgements) needed for a majority of voters; 0 when there are no voters.</summary>
    public int Quorum => _voters.Length == 0 ? 0 : (_voters.Length / 2) + 1;

    public bool IsVoter(NodeId id) => Array.BinarySearch(_voters, id) >= 0;
    public bool IsLearner(NodeId id) => Array.BinarySearch(_learners, id) >= 0;
    public bool Contains(NodeId id) => Array.BinarySearch(_all, id) >= 0;

    /// <summary>
    /// The configuration after <paramref name="change"/>, or null when the change does not apply
    /// to this configuration (adding a member twice, promoting a voter, removing a stranger or the last voter).
    /// </summary>
    public Membership? TryApply(MembershipChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var id = change.Node;
        if (id.IsNone) return null;
        switch (change.Kind)
        {
            case MembershipChangeKind.AddLearner:
                return Contains(id) ? null : new Membership(_voters, _learners.Append(id));
            case MembershipChangeKind.AddVoter:
                return Contains(id) ? null : new Membership(_voters.Append(id), _learners);
            case MembershipChangeKind.PromoteLearner:
                return IsLearner(id) ? new Membership(_voters.Append(id), _learners.Where(l => l != id)) : null;
            case MembershipChangeKind.DemoteVoter:
                return IsVoter(id) && _voters.Length > 1 ? new Membership(_voters.Where(v => v != id), _learners.Append(id)) : null;
            case MembershipChangeKind.Remove:
                if (!Contains(id)) return null;
                if (IsVoter(id) && _voters.Length == 1) return null;
                return new Membership(_voters.Where(v => v != id), _learners.Where(l => l != id));
            default:
                return null;
        }
    }

    public bool Equals(Membership? other) =>
        other is not null && _voters.AsSpan().SequenceEqual(other._voters) && _learners.AsSpan().SequenceEqual(other._learners);

    public override bool Equals(object? obj) => Equals(obj as Membership);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var v in _voters) h.Add(v);
        h.Add(-1);
        foreach (var l in _learners) h.Add(l);
        return h.ToHashCode();
    }

    public override string ToString() =>
        $"voters[{string.Join(',', _voters)}] learners[{string.Join(',', _learners)}]";
}

/// <summary>
/// The single-server changes. DemoteVoter turns a voter into a learner: a leader does it by itself to a voter that
/// restarted without its state (see <see cref="RaftNode.BeginRecovery"/>).
/// </summary>
public enum MembershipChangeKind : byte
{
    AddLearner = 1,
    AddVoter = 2,
    PromoteLearner = 3,
    Remove = 4,
    DemoteVoter = 5,
}

/// <summary>One single-server membership change, proposed with <see cref="RaftNode.ProposeMembershipChange"/>.</summary>
public sealed record MembershipChange(MembershipChangeKind Kind, NodeId Node);

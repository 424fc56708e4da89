using Cairn.Consensus;
using Cairn.Store;

namespace Cairn.Node.Cluster;

public sealed partial class ClusterNode : IClusterAdmin
{
    public bool IsLeader => _driver.Status.Role == RaftRole.Leader;

    public string? LeaderHttpAddress
    {
        get
        {
            var leader = _driver.Status.Leader;
            return !leader.IsNone && _directory.Members.TryGetValue(leader, out var info) ? info.HttpAddress : null;
        }
    }

    public ClusterView GetView()
    {
        var s = _driver.Status;
        var directory = _directory;
        var loss = _dataLoss;
        var now = s.LastIndex.Value;
        var members = new List<MemberView>();
        foreach (var id in s.Membership.Members.Concat(_staticIds).Distinct().Order())
        {
            directory.Members.TryGetValue(id, out var info);
            var progress = s.Progress.FirstOrDefault(p => p.Node == id);
            var role = id == s.Leader ? "leader" : progress is { Recovering: true } ? "recovering"
                : s.Membership.IsLearner(id) ? "learner" : s.Membership.IsVoter(id) ? "follower" : "not-a-member";
            if (id == Id) role = RoleOf(s, Id);
            long? match = progress is null ? (id == Id && s.Role == RaftRole.Leader ? (long)now : null) : (long)progress.Match.Value;
            long? lag = match is { } m && s.Role == RaftRole.Leader ? Math.Max(0, (long)now - m) : null;
            long? contact = progress is null ? null : (long)progress.TicksSinceContact * _options.TickMs;
            members.Add(new MemberView(info?.Name ?? id.ToString(), id.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), role,
                info?.PeerAddress, info?.HttpAddress, match, lag, contact, progress?.State.ToString().ToLowerInvariant()));
        }
        return new ClusterView(_options.ClusterId, Name, RoleOf(s, Id), s.Leader.IsNone ? null : directory.NameOf(s.Leader), s.Term.Value,
            (long)s.Commit.Value, s.Applied, (long)now, Status.Ready, members, Divergences, loss is not null, loss);
    }

    public async Task<MemberView> AddMemberAsync(MemberInfo member, CancellationToken cancellationToken)
    {
        if (!NodeNames.IsValid(member.Name)) throw new ArgumentException($"'{member.Name}' is not a valid node name");
        if (!Transport.PeerAddress.TryParse(member.PeerAddress, out _)) throw new ArgumentException($"'{member.PeerAddress}' is not host:port");
        var id = member.Id;
        var s = _driver.Status;
        if (s.Membership.Contains(id) && _directory.Members.TryGetValue(id, out var known) && known.PeerAddress == member.PeerAddress)
            return GetView().Members.First(m => m.Name == member.Name);
        // The address first: when the learner entry commits, the leader (and any later leader) can already reach it.
        await ProposeAsync(new CommandEnvelope(null, new KvPut(MemberDirectory.KeyOf(member.Name), MemberDirectory.Encode(member), null,
            Precondition.None)), cancellationToken);
        RefreshDirectory();
        if (!_driver.Status.Membership.Contains(id))
            await _driver.ProposeMembershipChangeAsync(new MembershipChange(MembershipChangeKind.AddLearner, id)).WaitAsync(cancellationToken);
        LogMemberAdded(_logger, member.Name, member.PeerAddress);
        return GetView().Members.First(m => m.Name == member.Name);
    }

    public async Task RemoveMemberAsync(string name, CancellationToken cancellationToken)
    {
        if (!NodeNames.IsValid(name)) throw new ArgumentException($"'{name}' is not a valid node name");
        var id = NodeNames.ToId(name);
        var s = _driver.Status;
        if (!s.Membership.Contains(id)) throw new ArgumentException($"'{name}' is not a member of the cluster");
        if (s.Membership.IsVoter(id) && s.Membership.Voters.Count == 1) throw new ArgumentException($"'{name}' is the last voter; a cluster cannot remove it");
        if (id == Id)
        {
            // A leader does not remove itself: it hands leadership to the most caught-up voter, which then does it.
            await TransferLeadershipAsync(null, cancellationToken);
            throw new ServiceUnavailableException(UnavailableReason.NoLeader, false,
                $"leadership moved away from {name} so that it can be removed; retry the removal (it goes to the new leader)",
                TimeSpan.Zero);
        }
        await _driver.ProposeMembershipChangeAsync(new MembershipChange(MembershipChangeKind.Remove, id)).WaitAsync(cancellationToken);
        await ProposeAsync(new CommandEnvelope(null, new KvDelete(MemberDirectory.KeyOf(name), Precondition.None)), cancellationToken);
        RefreshDirectory();
        LogMemberRemoved(_logger, name);
    }

    public async Task<string> TransferLeadershipAsync(string? to, CancellationToken cancellationToken)
    {
        var s = _driver.Status;
        if (s.Role != RaftRole.Leader) throw new ServiceUnavailableException(UnavailableReason.NoLeader, false, "this node is not the leader");
        NodeId target;
        if (to is null)
        {
            var best = s.Progress.Where(p => p.Node != Id && s.Membership.IsVoter(p.Node)).OrderByDescending(p => p.Match).FirstOrDefault()
                ?? throw new ArgumentException("there is no other voter to hand leadership to");
            target = best.Node;
        }
        else
        {
            if (!NodeNames.IsValid(to)) throw new ArgumentException($"'{to}' is not a valid node name");
            target = NodeNames.ToId(to);
        }
        if (target == Id) return Name;
        var result = await _driver.TransferLeadershipAsync(target).WaitAsync(cancellationToken);
        switch (result)
        {
            case TransferLeadershipResult.Started:
                break;
            case TransferLeadershipResult.TargetNotVoter:
                throw new ArgumentException($"'{_directory.NameOf(target)}' is not a voter");
            default:
                throw new ServiceUnavailableException(UnavailableReason.NoLeader, false, $"leadership transfer refused: {result}");
        }
        var deadline = _time.GetUtcNow() + TimeSpan.FromMilliseconds(_options.TickMs * _options.ElectionTicks * 4);
        while (_time.GetUtcNow() < deadline)
        {
            var leader = _driver.Status.Leader;
            if (leader == target) return _directory.NameOf(target);
            await Task.Delay(TimeSpan.FromMilliseconds(_options.TickMs), _time, cancellationToken); // polling with a deadline
        }
        throw new ServiceUnavailableException(UnavailableReason.Timeout, false,
            $"leadership did not move to {_directory.NameOf(target)} in time; the target may be behind or unreachable");
    }

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "added {Name} ({PeerAddress}) as a learner")]
    private static partial void LogMemberAdded(Microsoft.Extensions.Logging.ILogger logger, string name, string peerAddress);

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "removed {Name} from the cluster")]
    private static partial void LogMemberRemoved(Microsoft.Extensions.Logging.ILogger logger, string name);
}

using System.Text.Json;
using System.Text.Json.Serialization;
using Cairn.Store;

namespace Cairn.Node.Cluster;

/// <summary>Where to reach one node: its name, its peer address (host:port) and its HTTP URL (null until it registers).</summary>
public sealed record MemberInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("peer")] string PeerAddress,
    [property: JsonPropertyName("http")] string? HttpAddress)
{
    [JsonIgnore]
    public NodeId Id => NodeNames.ToId(Name);
}

[JsonSerializable(typeof(MemberInfo))]
internal sealed partial class MemberJson : JsonSerializerContext;

/// <summary>
/// The address book of the cluster. Raft membership only holds 64-bit ids; how to reach each node lives in the
/// replicated store itself, under the reserved keys <c>_cairn/members/&lt;name&gt;</c> (written by the leader when a
/// node joins, and by every node about itself once it knows a leader). So every node, and every future leader,
/// reads the same book, and it survives snapshots. The static <c>--peers</c> list seeds it before anything is
/// written.
/// </summary>
/// <remarks>Immutable: <see cref="Read"/> returns a fresh directory; safe to share between threads.</remarks>
public sealed class MemberDirectory
{
    public const string KeyPrefix = "_cairn/members/";

    private readonly Dictionary<NodeId, MemberInfo> _members;

    private MemberDirectory(Dictionary<NodeId, MemberInfo> members) => _members = members;

    public IReadOnlyDictionary<NodeId, MemberInfo> Members => _members;

    public static string KeyOf(string name) => KeyPrefix + name;

    public static byte[] Encode(MemberInfo info) => JsonSerializer.SerializeToUtf8Bytes(info, MemberJson.Default.MemberInfo);

    /// <summary>The static peers, overlaid by every registration found in <paramref name="view"/>.</summary>
    public static MemberDirectory Read(IReadOnlyList<(string Name, string Address)> staticPeers, StoreView view)
    {
        var members = new Dictionary<NodeId, MemberInfo>();
        foreach (var (name, address) in staticPeers) members[NodeNames.ToId(name)] = new MemberInfo(name, address, null);
        foreach (var entry in view.ListKeys(KeyPrefix, null, 10_000, 0))
        {
            if (TryDecode(entry.Value.Span) is not { } info || !NodeNames.IsValid(info.Name) || KeyOf(info.Name) != entry.Key) continue;
            // An address given to this node by its operator (--peers) wins over the one a node registered for itself:
            // it is how this node must reach that peer (through a proxy, a NAT, a test relay).
            members[info.Id] = members.TryGetValue(info.Id, out var configured) ? info with { PeerAddress = configured.PeerAddress } : info;
        }
        return new MemberDirectory(members);
    }

    public string NameOf(NodeId id) => _members.TryGetValue(id, out var info) ? info.Name : id.ToString();

    public bool SameAddresses(MemberDirectory? other) =>
        other is not null && other._members.Count == _members.Count
        && _members.All(kv => other._members.TryGetValue(kv.Key, out var o) && o.PeerAddress == kv.Value.PeerAddress);

    private static MemberInfo? TryDecode(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, MemberJson.Default.MemberInfo);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

using System.Globalization;
using System.Text;

namespace Cairn.Node.Cluster;

/// <summary>
/// Maps the names operators give nodes (<c>n1</c>, <c>db-east-2</c>) to the 64-bit ids Raft uses. The mapping is a
/// pure function of the name, so every node derives the same id without coordination: <c>n&lt;digits&gt;</c> maps
/// to the number (readable in logs: <see cref="NodeId.ToString"/> prints it back), any other name to its FNV-1a
/// 64-bit hash with the top bit set (so it never meets a numbered name).
/// </summary>
public static class NodeNames
{
    /// <summary>The rule every node name follows (also the API's and the CLI's).</summary>
    public const string Pattern = "^[a-z0-9][a-z0-9-]{0,31}$";

    private const ulong HashedBit = 1UL << 63;

    public static bool IsValid(string? name) =>
        name is { Length: >= 1 and <= 32 } && IsLowerAlnum(name[0]) && name.All(c => IsLowerAlnum(c) || c == '-');

    public static NodeId ToId(string name)
    {
        if (!IsValid(name)) throw new ArgumentException($"'{name}' is not a valid node name: 1-32 characters of a-z, 0-9 and '-', starting with a letter or digit", nameof(name));
        if (name.Length is >= 2 and <= 19 && name[0] == 'n' && name.Skip(1).All(char.IsAsciiDigit)
            && ulong.TryParse(name.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            && number is > 0 and < HashedBit && name[1] != '0')
        {
            return new NodeId(number);
        }
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return new NodeId(hash | HashedBit);
    }

    private static bool IsLowerAlnum(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
}

using Cairn.Store;
using Microsoft.Extensions.Primitives;

namespace Cairn.Api;

/// <summary>ETags are the item's mod revision in quotes: <c>"42"</c>. Only strong, single tags are accepted on writes.</summary>
public static class Etags
{
    public static string Format(long revision) => "\"" + revision + "\"";

    /// <summary>Turns If-Match / If-None-Match into a store precondition; throws invalid-header on anything else.</summary>
    public static Precondition ParsePrecondition(StringValues ifMatch, StringValues ifNoneMatch)
    {
        var hasMatch = !StringValues.IsNullOrEmpty(ifMatch);
        var hasNone = !StringValues.IsNullOrEmpty(ifNoneMatch);
        if (hasMatch && hasNone)
            throw new ApiProblemException(ProblemKind.InvalidHeader, "send either If-Match or If-None-Match, not both");
        if (hasNone)
        {
            if (ifNoneMatch.Count == 1 && ifNoneMatch[0]!.Trim() == "*") return Precondition.MustNotExist;
            throw new ApiProblemException(ProblemKind.InvalidHeader, "If-None-Match on a write must be \"*\" (create only)");
        }
        if (!hasMatch) return Precondition.None;
        if (ifMatch.Count != 1)
            throw new ApiProblemException(ProblemKind.InvalidHeader, "If-Match must carry exactly one ETag");
        var value = ifMatch[0]!.Trim();
        if (value == "*") return Precondition.MustExist;
        if (TryParse(value, out var revision)) return Precondition.RevisionIs(revision);
        throw new ApiProblemException(ProblemKind.InvalidHeader,
            $"If-Match must be a strong ETag such as \"42\" (the revision in quotes) or *, not {Truncate(value)}");
    }

    /// <summary>Parses one strong ETag <c>"123"</c>.</summary>
    public static bool TryParse(ReadOnlySpan<char> value, out long revision)
    {
        revision = 0;
        return value.Length >= 3 && value[0] == '"' && value[^1] == '"'
            && long.TryParse(value[1..^1], System.Globalization.NumberStyles.None, null, out revision)
            && revision > 0;
    }

    /// <summary>True when an If-None-Match on a read names the current tag (answer 304).</summary>
    public static bool NoneMatchHits(StringValues ifNoneMatch, long revision)
    {
        foreach (var header in ifNoneMatch)
        {
            if (header is null) continue;
            foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (part == "*") return true;
                var tag = part.StartsWith("W/", StringComparison.Ordinal) ? part[2..] : part;
                if (TryParse(tag, out var r) && r == revision) return true;
            }
        }
        return false;
    }

    internal static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";
}

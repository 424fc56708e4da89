using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Cairn.Node;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Cairn.Api;

/// <summary>Checks every name, key, header and parameter before anything is proposed. Failures throw <see cref="ApiProblemException"/>.</summary>
public sealed class RequestValidation(ApiOptions options)
{
    public const int CollectionNameCharsMax = 64;

    public ApiOptions Options { get; } = options;

    /// <summary>Collection names: <c>[a-z0-9][a-z0-9_-]{0,63}</c>; names starting with '_' are reserved.</summary>
    public static bool IsValidCollectionName(ReadOnlySpan<char> name)
    {
        if (name.Length is 0 or > CollectionNameCharsMax) return false;
        if (!IsLowerAlnum(name[0])) return false;
        foreach (var c in name[1..])
        {
            if (!IsLowerAlnum(c) && c != '_' && c != '-') return false;
        }
        return true;
        static bool IsLowerAlnum(char c) => c is >= 'a' and <= 'z' or >= '0' and <= '9';
    }

    public static string Collection(string? name)
    {
        if (name is null || !IsValidCollectionName(name))
        {
            throw new ApiProblemException(ProblemKind.InvalidName,
                $"collection names are 1–{CollectionNameCharsMax} characters of a-z, 0-9, '_' and '-', starting with a letter or digit (got {Quote(name)})");
        }
        return name;
    }

    /// <summary>Raw keys a client may write: <see cref="Key"/>, and not under the cluster's reserved prefix <c>_cairn/</c>.</summary>
    public string WritableKey(string? key, string what = "key")
    {
        Key(key, what);
        if (key!.StartsWith(ReservedKeyPrefix, StringComparison.Ordinal))
            throw new ApiProblemException(ProblemKind.InvalidKey, $"keys under '{ReservedKeyPrefix}' hold the cluster's own records and are read-only");
        return key;
    }

    /// <summary>The key prefix of the cluster's own replicated records (the member address book).</summary>
    public const string ReservedKeyPrefix = "_cairn/";

    /// <summary>Document ids and raw keys: non-empty, at most KeyBytesMax bytes of UTF-8, no control characters.</summary>
    public string Key(string? key, string what = "id")
    {
        if (string.IsNullOrEmpty(key)) throw new ApiProblemException(ProblemKind.InvalidKey, $"the {what} is empty");
        var bytes = Encoding.UTF8.GetByteCount(key);
        if (bytes > Options.KeyBytesMax)
        {
            throw new ApiProblemException(ProblemKind.InvalidKey,
                $"the {what} is {bytes} bytes of UTF-8; the limit is {Options.KeyBytesMax}");
        }
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (char.IsControl(c)) throw new ApiProblemException(ProblemKind.InvalidKey, $"the {what} contains a control character");
            var pairOk = !char.IsSurrogate(c)
                || (char.IsHighSurrogate(c) && i + 1 < key.Length && char.IsLowSurrogate(key[++i]));
            if (!pairOk) throw new ApiProblemException(ProblemKind.InvalidKey, $"the {what} is not well-formed Unicode");
        }
        return key;
    }

    /// <summary>The optional client request id (X-Cairn-Request-Id) that makes a retried write apply once.</summary>
    public static string? RequestId(HttpRequest request)
    {
        var values = request.Headers["X-Cairn-Request-Id"];
        if (StringValues.IsNullOrEmpty(values)) return null;
        var id = values.Count == 1 ? values[0]! : throw new ApiProblemException(ProblemKind.InvalidHeader, "send one X-Cairn-Request-Id");
        if (id.Length > Store.StoreLimits.RequestIdBytesMax || id.Length == 0 || !id.All(c => c is > ' ' and < '\u007f'))
        {
            throw new ApiProblemException(ProblemKind.InvalidHeader,
                $"X-Cairn-Request-Id must be 1–{Store.StoreLimits.RequestIdBytesMax} printable ASCII characters");
        }
        return id;
    }

    public static (ReadConsistency Level, long MinRevision) Consistency(HttpRequest request)
    {
        var level = request.Query["consistency"];
        var min = request.Query["minRevision"];
        var consistency = StringValues.IsNullOrEmpty(level) ? ReadConsistency.Linearizable : level.ToString() switch
        {
            "linearizable" => ReadConsistency.Linearizable,
            "lease" => ReadConsistency.Lease,
            "session" => ReadConsistency.Session,
            "stale" => ReadConsistency.Stale,
            var other => throw new ApiProblemException(ProblemKind.InvalidParameter,
                $"consistency must be linearizable, lease, session or stale (got {Quote(other)})"),
        };
        long minRevision = 0;
        if (!StringValues.IsNullOrEmpty(min))
        {
            if (!long.TryParse(min, System.Globalization.NumberStyles.None, null, out minRevision))
                throw new ApiProblemException(ProblemKind.InvalidParameter, "minRevision must be a non-negative integer");
            if (StringValues.IsNullOrEmpty(level)) consistency = ReadConsistency.Session;
            else if (consistency != ReadConsistency.Session)
                throw new ApiProblemException(ProblemKind.InvalidParameter, "minRevision goes with consistency=session");
        }
        return (consistency, minRevision);
    }

    public int Limit(HttpRequest request)
    {
        var raw = request.Query["limit"];
        if (StringValues.IsNullOrEmpty(raw)) return Options.ListLimitDefault;
        if (!int.TryParse(raw, System.Globalization.NumberStyles.None, null, out var limit) || limit < 1 || limit > Options.ListLimitMax)
            throw new ApiProblemException(ProblemKind.InvalidParameter, $"limit must be an integer from 1 to {Options.ListLimitMax}");
        return limit;
    }

    /// <summary>Parses a TTL such as <c>30s</c>, <c>500ms</c>, <c>5m</c>, <c>2h</c>, <c>1d</c> or a bare number of seconds.</summary>
    public TimeSpan Ttl(string raw)
    {
        var s = raw.AsSpan().Trim();
        var unitMs = 1000L;
        var unitChars = 0;
        if (s.EndsWith("ms")) (unitMs, unitChars) = (1, 2);
        else if (s.EndsWith("s")) (unitMs, unitChars) = (1000, 1);
        else if (s.EndsWith("m")) (unitMs, unitChars) = (60_000, 1);
        else if (s.EndsWith("h")) (unitMs, unitChars) = (3_600_000, 1);
        else if (s.EndsWith("d")) (unitMs, unitChars) = (86_400_000, 1);
        var number = s[..^unitChars];
        if (!long.TryParse(number, System.Globalization.NumberStyles.None, null, out var n) || n <= 0
            || n > (long)Options.TtlSecondsMax * 1000 / unitMs)
        {
            throw new ApiProblemException(ProblemKind.InvalidParameter,
                $"ttl must be a positive duration such as 30s, 500ms, 5m, 2h or 1d, at most {Options.TtlSecondsMax} s (got {Quote(raw)})");
        }
        return TimeSpan.FromMilliseconds(n * unitMs);
    }

    /// <summary>Documents, patches and transactions must be JSON (application/json or any +json type).</summary>
    public static void RequireJson(HttpRequest request, bool allowMergePatch = false)
    {
        var type = request.ContentType;
        if (type is null) return; // lenient: a body without a type is read as JSON
        var media = type.AsSpan();
        var semi = media.IndexOf(';');
        if (semi >= 0) media = media[..semi];
        media = media.Trim();
        if (media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase)) return;
        _ = allowMergePatch;
        throw new ApiProblemException(ProblemKind.UnsupportedMediaType,
            $"send the body as application/json{(allowMergePatch ? " or application/merge-patch+json" : "")} (got {Quote(type)})");
    }

    /// <summary>Reads the whole body, refusing more than <paramref name="bytesMax"/> bytes before reading them.</summary>
    public static async ValueTask<byte[]> ReadBodyAsync(HttpRequest request, int bytesMax, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } declared && declared > bytesMax)
            throw new ApiProblemException(ProblemKind.TooLarge, $"the body is {declared} bytes; the limit is {bytesMax}");
        PipeReader reader = request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            if (buffer.Length > bytesMax)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw new ApiProblemException(ProblemKind.TooLarge, $"the body is more than {bytesMax} bytes; the limit is {bytesMax}");
            }
            if (read.IsCompleted || read.IsCanceled)
            {
                var bytes = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return bytes;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    internal static string Quote(string? s) => s is null ? "nothing" : "'" + Etags.Truncate(s) + "'";
}

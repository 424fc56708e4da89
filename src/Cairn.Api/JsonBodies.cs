using System.Text.Json;

namespace Cairn.Api;

/// <summary>
/// Validates JSON bodies and stores them minified: whitespace outside strings is removed, member
/// order and string escapes are kept byte for byte. One validating pass (<see cref="Utf8JsonReader"/>,
/// which also rejects invalid UTF-8) and one copying pass; no DOM is built.
/// </summary>
public static class JsonBodies
{
    /// <summary>Checks a document body (a JSON object) against the depth and size limits and returns its minified bytes.</summary>
    public static byte[] Document(ReadOnlySpan<byte> body, int depthMax, int bytesMax, bool requireObject = true)
    {
        Validate(body, depthMax, requireObject);
        var minified = Minify(body);
        if (minified.Length > bytesMax)
        {
            throw new ApiProblemException(ProblemKind.TooLarge,
                $"the document is {minified.Length} bytes; the limit is {bytesMax}");
        }
        return minified;
    }

    /// <summary>Throws invalid-json or json-too-deep with the position of the problem.</summary>
    public static void Validate(ReadOnlySpan<byte> body, int depthMax, bool requireObject)
    {
        // The reader's own depth limit is set one above ours so that "too deep" is ours to report.
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = depthMax + 1 });
        try
        {
            if (!reader.Read()) throw new ApiProblemException(ProblemKind.InvalidJson, "the body is empty; send a JSON document");
            if (requireObject && reader.TokenType != JsonTokenType.StartObject)
                throw new ApiProblemException(ProblemKind.InvalidJson, "a document must be a JSON object ({...})");
            do
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= depthMax)
                {
                    throw new ApiProblemException(ProblemKind.JsonTooDeep,
                        $"the JSON nests deeper than {depthMax} levels (at byte {reader.TokenStartIndex})");
                }
                if (reader.TokenType == JsonTokenType.String || reader.TokenType == JsonTokenType.PropertyName)
                {
                    // Escaped strings are decoded (which validates escapes and surrogates); plain ones are checked as UTF-8.
                    if (reader.ValueIsEscaped) _ = reader.GetString();
                    else if (!System.Text.Unicode.Utf8.IsValid(reader.ValueSpan))
                        throw new ApiProblemException(ProblemKind.InvalidJson, $"the body has invalid UTF-8 at byte {reader.TokenStartIndex}");
                }
            }
            while (reader.Read());
        }
        catch (JsonException e)
        {
            throw new ApiProblemException(ProblemKind.InvalidJson,
                $"the body is not valid JSON: {Sentence(e.Message)}");
        }
        catch (InvalidOperationException e)
        {
            throw new ApiProblemException(ProblemKind.InvalidJson, $"the body is not valid JSON: {Sentence(e.Message)}");
        }
    }

    /// <summary>Removes insignificant whitespace from JSON already validated.</summary>
    public static byte[] Minify(ReadOnlySpan<byte> json)
    {
        var output = new byte[json.Length];
        var n = 0;
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var b = json[i];
            if (inString)
            {
                output[n++] = b;
                if (b == (byte)'\\') output[n++] = json[++i];
                else if (b == (byte)'"') inString = false;
            }
            else if (b is not ((byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r'))
            {
                output[n++] = b;
                if (b == (byte)'"') inString = true;
            }
        }
        return n == output.Length ? output : output.AsSpan(0, n).ToArray();
    }

    private static string Sentence(string message)
    {
        // System.Text.Json messages name the line and byte; keep them, drop its trailing path noise.
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}

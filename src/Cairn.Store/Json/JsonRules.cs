using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Cairn.Store.Json;

/// <summary>
/// The JSON rules the state machine enforces at apply time (the same as the API's): valid UTF-8 JSON,
/// at most <see cref="StoreLimits.JsonDepthMax"/> nested containers, documents are objects, and the
/// RFC 7396 merge patch. Errors are sentences for a Rejected result.
/// </summary>
internal static class JsonRules
{
    // Non-ASCII text stays as UTF-8 instead of \uXXXX escapes; the output is application/json, never HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string? CheckDocument(ReadOnlySpan<byte> json, StoreLimits limits, string what) =>
        json.Length > limits.ValueBytesMax
            ? $"{what} is {json.Length} bytes; the limit is {limits.ValueBytesMax}"
            : CheckJson(json, limits.JsonDepthMax, requireObject: true, what);

    public static string? CheckPatch(ReadOnlySpan<byte> json, StoreLimits limits) =>
        json.Length > limits.ValueBytesMax
            ? $"the merge patch is {json.Length} bytes; the limit is {limits.ValueBytesMax}"
            : CheckJson(json, limits.JsonDepthMax, requireObject: false, "the merge patch");

    /// <summary>One pass of <see cref="Utf8JsonReader"/>: syntax, a single value, depth, and UTF-8 inside strings.</summary>
    public static string? CheckJson(ReadOnlySpan<byte> json, int depthMax, bool requireObject, string what)
    {
        if (json.IsEmpty) return $"{what} is empty";
        // The reader's own limit is one above ours so that "too deep" is detected (and worded) here.
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = depthMax + 1 });
        try
        {
            if (!reader.Read()) return $"{what} is empty";
            if (requireObject && reader.TokenType != JsonTokenType.StartObject) return $"{what} must be a JSON object";
            do
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray when reader.CurrentDepth >= depthMax:
                        return $"{what} nests deeper than {depthMax} levels";
                    case JsonTokenType.String or JsonTokenType.PropertyName:
                        if (reader.ValueIsEscaped) _ = reader.GetString();
                        else if (!Utf8.IsValid(reader.ValueSpan)) return $"{what} has invalid UTF-8";
                        break;
                }
            }
            while (reader.Read());
            return null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return $"{what} is not valid JSON";
        }
    }

    /// <summary>
    /// Applies an RFC 7396 merge patch to a stored document and checks the result as a document.
    /// Returns the merged UTF-8 JSON, or null with <paramref name="error"/> set.
    /// </summary>
    public static byte[]? MergePatch(ReadOnlySpan<byte> target, ReadOnlySpan<byte> patch, StoreLimits limits, out string? error)
    {
        var options = new JsonDocumentOptions { MaxDepth = limits.JsonDepthMax + 1 };
        byte[] merged;
        try
        {
            var result = Apply(JsonNode.Parse(target, documentOptions: options), JsonNode.Parse(patch, documentOptions: options));
            merged = Serialize(result);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            // Deterministic on every replica (same input, same runtime): e.g. a stored document with duplicate members.
            error = $"the merge patch cannot apply: {e.Message}";
            return null;
        }
        error = CheckDocument(merged, limits, "the merged document");
        return error is null ? merged : null;
    }

    /// <summary>RFC 7396 §2 MergePatch(Target, Patch), in place on <paramref name="target"/> where it is an object.</summary>
    internal static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject) return patch?.DeepClone();
        var result = target as JsonObject ?? [];
        foreach (var (name, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(name);
                continue;
            }
            result.TryGetPropertyValue(name, out var existing);
            var merged = Apply(existing, value);
            // A nested object merged in place is already this member's value (and a node has one parent).
            if (!ReferenceEquals(merged, existing)) result[name] = merged;
        }
        return result;
    }

    internal static byte[] Serialize(JsonNode? node)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            if (node is null) writer.WriteNullValue();
            else node.WriteTo(writer);
        }
        return buffer.WrittenSpan.ToArray();
    }
}

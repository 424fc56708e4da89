using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.LoadTest;

/// <summary>
/// Writes a history as JSON lines in the format of Cairn.TestKit's <c>HistoryJson</c> (one
/// operation per line, camelCase, lower-case enums, nulls omitted), so a recorded run can be
/// re-checked offline with <c>HistoryJson.ReadFile</c> and <c>LinearizabilityChecker.Check</c>.
/// </summary>
public static class HistoryFile
{
    public static void Write(string path, IReadOnlyList<HistoryEntry> history)
    {
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream);
        foreach (var entry in history)
        {
            JsonSerializer.Serialize(writer, HistoryLine.From(entry), HistoryJsonContext.Default.HistoryLine);
            writer.Flush();
            writer.Reset();
            stream.WriteByte((byte)'\n');
        }
    }
}

/// <summary>One line of the history file.</summary>
public sealed record HistoryLine(
    int ClientId, string Key, string Kind, string? Value, string? Expected, string? Output, bool? CasSucceeded,
    long Invoke, long Complete, string Outcome)
{
    public static HistoryLine From(HistoryEntry e) => new(
        e.Client, e.Key, e.Kind.ToString().ToLowerInvariant(), e.Value, e.Expected, e.Output, e.CasSucceeded,
        e.Invoke, e.Complete, e.Outcome.ToString().ToLowerInvariant());
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HistoryLine))]
internal sealed partial class HistoryJsonContext : JsonSerializerContext;

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Checking;

/// <summary>
/// Histories as JSON lines: one <see cref="Operation"/> object per line, camelCase names,
/// enums as lower-case strings, null fields omitted. Example:
/// <c>{"clientId":3,"key":"k","kind":"cas","value":"b","expected":"a","casSucceeded":true,"invoke":40,"complete":50,"outcome":"ok"}</c>.
/// Blank lines are ignored, so files can be concatenated.
/// </summary>
public static class HistoryJson
{
    public static string ToLine(Operation operation) =>
        JsonSerializer.Serialize(operation, HistoryJsonContext.Default.Operation);

    /// <exception cref="InvalidDataException">The line is not a well-formed operation.</exception>
    public static Operation FromLine(string line)
    {
        Operation? op;
        try
        {
            op = JsonSerializer.Deserialize(line, HistoryJsonContext.Default.Operation);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"not a history operation: {e.Message}", e);
        }
        if (op is null) throw new InvalidDataException("not a history operation: null");
        var error = op.Validate();
        if (error is not null) throw new InvalidDataException($"malformed history operation: {error}");
        return op;
    }

    public static void Write(TextWriter writer, IEnumerable<Operation> history)
    {
        foreach (var op in history) writer.Write(ToLine(op) + "\n");
    }

    /// <exception cref="InvalidDataException">A line is malformed; the message names its number.</exception>
    public static List<Operation> Read(TextReader reader)
    {
        var history = new List<Operation>();
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                history.Add(FromLine(line));
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"history line {number}: {e.Message}", e);
            }
        }
        return history;
    }

    public static void WriteFile(string path, IEnumerable<Operation> history)
    {
        using var writer = new StreamWriter(path, append: false);
        Write(writer, history);
    }

    public static List<Operation> ReadFile(string path)
    {
        using var reader = new StreamReader(path);
        return Read(reader);
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(Operation))]
internal sealed partial class HistoryJsonContext : JsonSerializerContext;

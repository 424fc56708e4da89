using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;

namespace Cairn.Checking;

/// <summary>What a client asked the store to do.</summary>
public enum OpKind
{
    [JsonStringEnumMemberName("read")] Read,
    [JsonStringEnumMemberName("write")] Write,
    [JsonStringEnumMemberName("cas")] Cas,
    [JsonStringEnumMemberName("delete")] Delete,
}

/// <summary>What the client learned about its operation.</summary>
public enum OpOutcome
{
    /// <summary>Completed; the recorded output is what the store answered.</summary>
    [JsonStringEnumMemberName("ok")] Ok,

    /// <summary>Definitely had no effect (rejected, or an error known not to have applied).</summary>
    [JsonStringEnumMemberName("fail")] Fail,

    /// <summary>
    /// Ambiguous (timeout, connection lost): it may or may not have taken effect, at any moment
    /// after <see cref="Operation.Invoke"/>. The checker treats its completion as +infinity.
    /// </summary>
    [JsonStringEnumMemberName("unknown")] Unknown,
}

/// <summary>
/// One client operation on one key, with its real-time interval. Values are strings and
/// <c>null</c> means "absent". Timestamps are in any monotonic unit shared by every client
/// of one history; intervals are closed, so two operations whose ends touch are concurrent.
/// </summary>
public sealed record Operation
{
    public required int ClientId { get; init; }
    public required string Key { get; init; }
    public required OpKind Kind { get; init; }

    /// <summary>Input of Write (never null) and Cas (the new value; null = delete if matched).</summary>
    public string? Value { get; init; }

    /// <summary>Input of Cas: the value the key must hold for the swap (null = must be absent).</summary>
    public string? Expected { get; init; }

    /// <summary>Output of an Ok Read: the value observed (null = absent).</summary>
    public string? Output { get; init; }

    /// <summary>Output of an Ok Cas: whether the comparison matched and the swap happened.</summary>
    public bool? CasSucceeded { get; init; }

    public required long Invoke { get; init; }

    /// <summary>When the answer arrived. Kept for Unknown operations but ignored by the checker.</summary>
    public long Complete { get; init; }

    public required OpOutcome Outcome { get; init; }

    public static Operation Read(int client, string key, long invoke, long complete, string? observed,
        OpOutcome outcome = OpOutcome.Ok) =>
        new() { ClientId = client, Key = key, Kind = OpKind.Read, Output = observed, Invoke = invoke, Complete = complete, Outcome = outcome };

    public static Operation Write(int client, string key, string value, long invoke, long complete,
        OpOutcome outcome = OpOutcome.Ok) =>
        new() { ClientId = client, Key = key, Kind = OpKind.Write, Value = value, Invoke = invoke, Complete = complete, Outcome = outcome };

    /// <param name="succeeded">The answer of an Ok cas (swapped or mismatched); ignored for other outcomes.</param>
    public static Operation Cas(int client, string key, string? expected, string? value, long invoke, long complete,
        bool? succeeded, OpOutcome outcome = OpOutcome.Ok) =>
        new()
        {
            ClientId = client, Key = key, Kind = OpKind.Cas, Expected = expected, Value = value,
            CasSucceeded = outcome == OpOutcome.Ok ? succeeded : null,
            Invoke = invoke, Complete = complete, Outcome = outcome,
        };

    public static Operation Delete(int client, string key, long invoke, long complete,
        OpOutcome outcome = OpOutcome.Ok) =>
        new() { ClientId = client, Key = key, Kind = OpKind.Delete, Invoke = invoke, Complete = complete, Outcome = outcome };

    /// <summary>Why this operation is malformed, or null when it is well formed.</summary>
    public string? Validate()
    {
        if (Key is null) return "key is null";
        if (!Enum.IsDefined(Kind)) return $"unknown kind {(int)Kind}";
        if (!Enum.IsDefined(Outcome)) return $"unknown outcome {(int)Outcome}";
        if (Outcome != OpOutcome.Unknown && Complete < Invoke) return $"completes ({Complete}) before it is invoked ({Invoke})";
        if (Kind == OpKind.Write && Value is null) return "a write needs a value (use delete for absent)";
        if (Kind == OpKind.Cas && Outcome == OpOutcome.Ok && CasSucceeded is null) return "an ok cas needs CasSucceeded";
        return null;
    }

    /// <summary>Readable one-line form, e.g. <c>c3 cas(k "a"→"b") ok:true [40, 50]</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append('c').Append(ClientId.ToString(CultureInfo.InvariantCulture)).Append(' ');
        switch (Kind)
        {
            case OpKind.Read: text.Append("read(").Append(Quote(Key)).Append(')'); break;
            case OpKind.Write: text.Append("write(").Append(Quote(Key)).Append(' ').Append(Quote(Value)).Append(')'); break;
            case OpKind.Cas:
                text.Append("cas(").Append(Quote(Key)).Append(' ').Append(Quote(Expected)).Append('→').Append(Quote(Value)).Append(')');
                break;
            case OpKind.Delete: text.Append("delete(").Append(Quote(Key)).Append(')'); break;
        }
        text.Append(' ');
        switch (Outcome)
        {
            case OpOutcome.Ok when Kind == OpKind.Read: text.Append("→ ").Append(Quote(Output)); break;
            case OpOutcome.Ok when Kind == OpKind.Cas: text.Append(CasSucceeded == true ? "→ swapped" : "→ mismatch"); break;
            case OpOutcome.Ok: text.Append("→ ok"); break;
            case OpOutcome.Fail: text.Append("→ failed"); break;
            case OpOutcome.Unknown: text.Append("→ unknown"); break;
        }
        text.Append(" [").Append(Invoke.ToString(CultureInfo.InvariantCulture)).Append(", ")
            .Append(Outcome == OpOutcome.Unknown ? "∞" : Complete.ToString(CultureInfo.InvariantCulture)).Append(']');
        return text.ToString();
    }

    /// <summary>A value as the diagnostics print it: quoted, or <c>absent</c> for null.</summary>
    public static string Quote(string? value) => value is null ? "absent" : "\"" + value + "\"";
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Api;

/// <summary>Stored JSON written into a response as is (it was validated and minified before it was stored).</summary>
[JsonConverter(typeof(RawJsonConverter))]
public readonly record struct RawJson(ReadOnlyMemory<byte> Utf8);

public sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        return new RawJson(JsonSerializer.SerializeToUtf8Bytes(doc.RootElement, ApiJsonContext.Default.JsonElement));
    }

    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Utf8.Span, skipInputValidation: true);
}

public sealed record WriteResponse(string Collection, string Id, long Revision, long Version, long CreateRevision);

public sealed record KvWriteResponse(string Key, long Revision, long Version, long CreateRevision, long? ExpiresAt);

public sealed record DeleteResponse(long Revision, long PrevRevision);

public sealed record CollectionInfoDto(string Name, long Count);

public sealed record CollectionsResponse(long Revision, IReadOnlyList<CollectionInfoDto> Collections);

public sealed record DocumentItem(string Id, long Revision, long Version, long CreateRevision, RawJson Document);

public sealed record DocumentListResponse(string Collection, long Revision, IReadOnlyList<DocumentItem> Items, string? Next);

/// <summary>A raw key in a listing: <c>value</c> when the bytes are UTF-8 text, <c>valueBase64</c> otherwise.</summary>
public sealed record KvItem(string Key, string? Value, string? ValueBase64, long Revision, long Version, long CreateRevision, long? ExpiresAt);

public sealed record KvListResponse(long Revision, IReadOnlyList<KvItem> Items, string? Next);

public sealed record TxnOpResult(
    string Op,
    bool? Found = null,
    long? Revision = null,
    long? Version = null,
    long? CreateRevision = null,
    string? Collection = null,
    string? Id = null,
    string? Key = null,
    RawJson? Document = null,
    string? Value = null,
    string? ValueBase64 = null,
    long? ExpiresAt = null);

public sealed record TxnResponse(bool Succeeded, long Revision, IReadOnlyList<TxnOpResult> Results);

/// <param name="Reason">Why the node is not ready, as a sentence (null when ready).</param>
public sealed record HealthResponse(string Status, string NodeId, string Role, long AppliedIndex, string? Reason = null);

/// <summary>The API's one JSON context: camelCase, nulls omitted, source-generated.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WriteResponse))]
[JsonSerializable(typeof(KvWriteResponse))]
[JsonSerializable(typeof(DeleteResponse))]
[JsonSerializable(typeof(CollectionsResponse))]
[JsonSerializable(typeof(DocumentListResponse))]
[JsonSerializable(typeof(KvListResponse))]
[JsonSerializable(typeof(TxnResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(Cairn.Node.Cluster.DataLossAccepted))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(Cairn.Node.Cluster.ClusterView))]
[JsonSerializable(typeof(Cairn.Node.Cluster.MemberView))]
[JsonSerializable(typeof(Cairn.Node.Cluster.JoinBody))]
[JsonSerializable(typeof(TransferBody))]
[JsonSerializable(typeof(TransferResponse))]
[JsonSerializable(typeof(StateHashResponse))]
[JsonSerializable(typeof(ClusterNodesResponse))]
[JsonSerializable(typeof(IReadOnlyList<Cairn.Node.Cluster.CheckpointHash>))]
public sealed partial class ApiJsonContext : JsonSerializerContext;

using System.ComponentModel.DataAnnotations;

namespace Cairn.Api;

/// <summary>Limits and defaults of the HTTP API (section "Cairn:Api"). Every limit is checked before a command is proposed.</summary>
public sealed class ApiOptions
{
    public const string Section = "Cairn:Api";

    /// <summary>Largest request body read, in bytes (larger: 413 too-large).</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int RequestBodyBytesMax { get; set; } = 2 * 1024 * 1024;

    /// <summary>Largest document or raw value, in bytes of UTF-8 / raw bytes.</summary>
    [Range(1, 64 * 1024 * 1024)]
    public int ValueBytesMax { get; set; } = 1024 * 1024;

    /// <summary>Longest document id or raw key, in bytes of UTF-8.</summary>
    [Range(1, 4096)]
    public int KeyBytesMax { get; set; } = 512;

    /// <summary>Deepest JSON nesting accepted in a document, patch or transaction.</summary>
    [Range(1, 256)]
    public int JsonDepthMax { get; set; } = 64;

    /// <summary>Most operations in one transaction (compares and each branch are counted separately).</summary>
    [Range(1, 10_000)]
    public int TxnOpsMax { get; set; } = 128;

    /// <summary>Most items one list request returns; the default page size is <see cref="ListLimitDefault"/>.</summary>
    [Range(1, 100_000)]
    public int ListLimitMax { get; set; } = 1000;

    [Range(1, 100_000)]
    public int ListLimitDefault { get; set; } = 100;

    /// <summary>Longest TTL accepted on a raw key, in seconds (default: 1 year).</summary>
    [Range(1, int.MaxValue)]
    public int TtlSecondsMax { get; set; } = 365 * 24 * 3600;

    /// <summary>
    /// Longest time a client may take to send a request's headers; a slower one (e.g. dripping bytes to hold a
    /// connection) is answered 408 and disconnected. Kestrel's RequestHeadersTimeout; its default is 30 s.
    /// </summary>
    [Range(100, 600_000)]
    public int RequestHeadersTimeoutMs { get; set; } = 30_000;

    /// <summary>How long a request waits for its write to apply before answering 503 (outcome unknown).</summary>
    [Range(1, 600_000)]
    public int WriteTimeoutMs { get; set; } = 10_000;

    /// <summary>
    /// Whether this node accepts the cluster admin routes (add or remove a member, transfer leadership). When false they
    /// answer 403 <c>admin-disabled</c>, <c>/v1/_cluster</c> reports <c>adminRoutes: false</c> and the web UI hides them.
    /// </summary>
    public bool AdminRoutes { get; set; } = true;

    /// <summary>How long <c>GET /v1/_cluster/nodes</c> waits for each other member's own view before calling it unreachable.</summary>
    [Range(50, 60_000)]
    public int ClusterProbeTimeoutMs { get; set; } = 1000;
}

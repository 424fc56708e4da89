using System.ComponentModel.DataAnnotations;

namespace Cairn.Node;

/// <summary>Options of the node runtime (section "Cairn:Node").</summary>
public sealed class NodeOptions
{
    public const string Section = "Cairn:Node";

    [Required, RegularExpression("^[a-z0-9][a-z0-9-]{0,31}$")]
    public string NodeId { get; set; } = "n1";

    /// <summary>Proposals waiting to be ordered; beyond this the node answers 503 Overloaded.</summary>
    [Range(1, 1_000_000)]
    public int ProposalQueueMax { get; set; } = 16_384;

    /// <summary>Most commands applied in one group-commit batch.</summary>
    [Range(1, 100_000)]
    public int BatchCommandsMax { get; set; } = 1024;

    /// <summary>Reads waiting for a revision (session reads, read index) at once.</summary>
    [Range(1, 1_000_000)]
    public int ReadWaitersMax { get; set; } = 65_536;

    /// <summary>How long a read waits for its revision before answering 503.</summary>
    [Range(1, 600_000)]
    public int ReadTimeoutMs { get; set; } = 5_000;

    /// <summary>How often the leader looks for expired keys to remove.</summary>
    [Range(10, 60_000)]
    public int ExpiryIntervalMs { get; set; } = 250;

    /// <summary>Most keys removed by one Expire command.</summary>
    [Range(1, 100_000)]
    public int ExpiryBatchKeysMax { get; set; } = 1_000;
}

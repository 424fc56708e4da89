using Cairn.Checking;

namespace Cairn.FaultTests.Clients;

/// <summary>
/// What a client learned about one operation beyond the checker's model: the node(s) asked, the answer, and the
/// revisions the server reported (the item's mod revision from ETag, the view's revision from X-Cairn-Revision).
/// <see cref="Index"/> is the operation's position in the recorder's history.
/// </summary>
public sealed record OpRecord
{
    public required int Index { get; init; }
    public required int Client { get; init; }
    public required OpKind Kind { get; init; }
    public required string Key { get; init; }
    public string? Value { get; init; }
    public string? Expected { get; init; }
    public required long Invoke { get; init; }
    public required long Complete { get; init; }
    public required OpOutcome Outcome { get; init; }

    /// <summary>For an Ok cas: swapped (true) or mismatch.</summary>
    public bool? Swapped { get; init; }

    /// <summary>Ok reads: the value observed (null = absent).</summary>
    public string? Observed { get; init; }

    /// <summary>The item's mod revision: of the written item for an Ok write/cas, of the item read for a read.</summary>
    public long? ModRevision { get; init; }

    /// <summary>The revision the answer reflects (X-Cairn-Revision): a read's view, a write's command.</summary>
    public long? ViewRevision { get; init; }

    public required string Nodes { get; init; }
    public required int Attempts { get; init; }

    /// <summary>Why it ended as it did: "200", "412", "503 no-leader", "timeout", "refused"… (the last attempt's).</summary>
    public required string Answer { get; init; }

    public double LatencyMs => (Complete - Invoke) * 1000.0 / System.Diagnostics.Stopwatch.Frequency;

    /// <summary>True when the operation changed the key for sure (an acknowledged write, a swapped cas, a delete that deleted).</summary>
    public bool AcknowledgedChange => Outcome == OpOutcome.Ok && (Kind == OpKind.Write || (Kind == OpKind.Cas && Swapped == true));
}

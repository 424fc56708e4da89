namespace Cairn.LoadTest;

/// <summary>How a request ended, from the load tester's point of view.</summary>
public enum FailureKind
{
    None,

    /// <summary>The server answered with a status outside 2xx.</summary>
    Status,

    /// <summary>No answer within the request timeout.</summary>
    Timeout,

    /// <summary>Connection refused, reset, closed mid-answer, malformed HTTP.</summary>
    Transport,

    /// <summary>The run was cancelled (Ctrl+C) while the request was in flight: not counted.</summary>
    Cancelled,
}

/// <summary>One request's result. The body, if kept, is in the connection's read buffer until the next request.</summary>
public readonly record struct HttpOutcome(FailureKind Failure, int Status, long Revision, int BodyLength, string? Detail)
{
    public bool IsSuccess => Failure == FailureKind.None;

    /// <summary>
    /// Whether a write that ended this way may have been applied: timeouts, transport errors and
    /// 5xx answers are ambiguous; a 4xx answer means it was refused.
    /// </summary>
    public bool OutcomeUnknown => Failure is FailureKind.Timeout or FailureKind.Transport or FailureKind.Cancelled
                                  || (Failure == FailureKind.Status && Status >= 500);

    /// <summary>The error kind the report counts: "404 not-found", "timeout", "transport: ConnectionError (ConnectionRefused)".</summary>
    public string ErrorKind() => Failure switch
    {
        FailureKind.Status => Detail is null ? $"{Status}" : $"{Status} {Detail}",
        FailureKind.Timeout => "timeout",
        FailureKind.Transport => "transport: " + Detail,
        FailureKind.Cancelled => "cancelled",
        _ => "ok",
    };
}

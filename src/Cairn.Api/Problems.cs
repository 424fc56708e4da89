using Cairn.Node;
using Microsoft.AspNetCore.Http;

namespace Cairn.Api;

/// <summary>Every kind of error the API answers. The type URI of each is stable: clients switch on it.</summary>
public enum ProblemKind
{
    NotFound,
    PreconditionFailed,
    AlreadyExists,
    InvalidName,
    InvalidKey,
    InvalidJson,
    JsonTooDeep,
    TooLarge,
    UnsupportedMediaType,
    InvalidParameter,
    InvalidHeader,
    InvalidTransaction,
    TransactionAborted,
    Rejected,
    MethodNotAllowed,
    Unavailable,
    OutcomeUnknown,
    InvalidMember,
    MembershipRefused,
    DataLost,
    DataLossRefused,
    AdminDisabled,
}

/// <summary>The one place that turns an error kind into status, type and title (RFC 9457 problem details).</summary>
public static class Problems
{
    public const string TypePrefix = "urn:cairn:problem:";

    public static (int Status, string Type, string Title) Describe(ProblemKind kind) => kind switch
    {
        ProblemKind.NotFound => (404, "not-found", "Not found"),
        ProblemKind.PreconditionFailed => (412, "precondition-failed", "The item changed since the revision you gave"),
        ProblemKind.AlreadyExists => (412, "already-exists", "The item already exists"),
        ProblemKind.InvalidName => (400, "invalid-name", "Invalid collection name"),
        ProblemKind.InvalidKey => (400, "invalid-key", "Invalid id or key"),
        ProblemKind.InvalidJson => (400, "invalid-json", "The body is not valid JSON"),
        ProblemKind.JsonTooDeep => (400, "json-too-deep", "The JSON is nested too deeply"),
        ProblemKind.TooLarge => (413, "too-large", "Too large"),
        ProblemKind.UnsupportedMediaType => (415, "unsupported-media-type", "Unsupported content type"),
        ProblemKind.InvalidParameter => (400, "invalid-parameter", "Invalid query parameter"),
        ProblemKind.InvalidHeader => (400, "invalid-header", "Invalid header"),
        ProblemKind.InvalidTransaction => (400, "invalid-transaction", "Invalid transaction"),
        ProblemKind.TransactionAborted => (409, "transaction-aborted", "The transaction was aborted; nothing was applied"),
        ProblemKind.Rejected => (422, "rejected", "The command cannot apply to the current data"),
        ProblemKind.MethodNotAllowed => (405, "method-not-allowed", "Method not allowed"),
        ProblemKind.Unavailable => (503, "unavailable", "The cluster cannot serve this request right now"),
        ProblemKind.OutcomeUnknown => (503, "outcome-unknown", "The write may or may not have been applied"),
        ProblemKind.InvalidMember => (400, "invalid-member", "Invalid member description"),
        ProblemKind.MembershipRefused => (409, "membership-refused", "The membership change was refused"),
        ProblemKind.DataLost => (503, "data-lost", "A majority of the cluster's voters lost their state; nothing is served until an operator accepts the loss"),
        ProblemKind.DataLossRefused => (409, "data-loss-refused", "The data loss cannot be accepted on this node"),
        ProblemKind.AdminDisabled => (403, "admin-disabled", "Cluster administration is disabled on this node"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static ProblemResult Result(ProblemKind kind, string detail, long? revision = null, long? currentRevision = null) =>
        new(kind, detail, revision, currentRevision);

    public static ProblemResult Unavailable(ServiceUnavailableException e) =>
        new(e.Reason == UnavailableReason.DataLost ? ProblemKind.DataLost : e.MayHaveApplied ? ProblemKind.OutcomeUnknown : ProblemKind.Unavailable,
            e.Message, null, null)
        {
            Reason = e.Reason,
            MayHaveApplied = e.MayHaveApplied,
            RetryAfter = e.RetryAfter,
        };
}

/// <summary>Thrown by validation helpers deep in request parsing; turned into a problem answer by <see cref="ProblemMiddleware"/>.</summary>
public sealed class ApiProblemException(ProblemKind kind, string detail) : Exception(detail)
{
    public ProblemKind Kind { get; } = kind;
}

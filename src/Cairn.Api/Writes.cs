using Cairn.Node;
using Cairn.Store;
using Microsoft.AspNetCore.Http;

namespace Cairn.Api;

/// <summary>Proposes a command for a request: request id, write timeout, and the one mapping of a failed result to a problem.</summary>
public sealed class Writes(IKvService kv, ApiOptions options, TimeProvider time)
{
    public async Task<CommandResult> ProposeAsync(HttpContext context, Command command)
    {
        var envelope = new CommandEnvelope(RequestValidation.RequestId(context.Request), command, time.GetUtcNow().ToUnixTimeMilliseconds());
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(options.WriteTimeoutMs);
        try
        {
            return await kv.ProposeAsync(envelope, timeout.Token);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            throw new ServiceUnavailableException(UnavailableReason.Timeout, mayHaveApplied: true,
                $"the write was not confirmed within {options.WriteTimeoutMs} ms; it may still apply. " +
                "Retry with the same X-Cairn-Request-Id to make the retry safe.");
        }
    }

    /// <summary>The problem answer for a command result that is not Ok.</summary>
    public static ProblemResult Problem(CommandResult result, string what)
    {
        var current = result.Current?.Meta.ModRevision;
        return result.Code switch
        {
            ResultCode.NotFound => Problems.Result(ProblemKind.NotFound, $"{what} does not exist", result.Revision),
            ResultCode.AlreadyExists => Problems.Result(ProblemKind.AlreadyExists,
                $"{what} already exists (revision {current})", result.Revision, current),
            ResultCode.RevisionMismatch => Problems.Result(ProblemKind.PreconditionFailed,
                $"{what} is at revision {current}, not the revision in If-Match", result.Revision, current),
            ResultCode.Rejected => Problems.Result(ProblemKind.Rejected, result.Message ?? $"{what} cannot be changed this way", result.Revision),
            ResultCode.TxnAborted => Problems.Result(ProblemKind.TransactionAborted, result.Message ?? "an operation's precondition failed", result.Revision),
            _ => throw new InvalidOperationException($"result {result.Code} is not an error"),
        };
    }
}

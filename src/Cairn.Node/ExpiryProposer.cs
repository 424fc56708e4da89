using Cairn.Store;
using Microsoft.Extensions.Logging;

namespace Cairn.Node;

/// <summary>
/// The leader's half of TTL: it finds keys whose expiry has passed and proposes one Expire command carrying its
/// clock reading, so every replica removes exactly the same keys at the same revision. Reads already hide expired
/// keys; this reclaims memory and produces the expire events of the change feed.
/// </summary>
public static partial class ExpiryProposer
{
    public delegate ValueTask<CommandResult> Propose(CommandEnvelope command, CancellationToken cancellationToken);

    /// <summary>One round: at most <paramref name="keysMax"/> keys. Failures are logged or ignored; the next round retries.</summary>
    public static async Task ProposeDueAsync(KvStore store, TimeProvider time, int keysMax, Propose propose, ILogger logger, CancellationToken stopping)
    {
        try
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var due = store.Current.ExpiredKeys(now, keysMax);
            if (due.Count == 0) return;
            await propose(new CommandEnvelope(null, new Expire(now, due)), stopping);
        }
        catch (Exception e) when (e is OperationCanceledException or ServiceUnavailableException)
        {
            // Shutting down, overloaded or no longer the leader: the next round tries again.
        }
        catch (Exception e) when (e is not InvariantViolationException)
        {
            LogExpiryFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "proposing expiry of due keys failed")]
    private static partial void LogExpiryFailed(ILogger logger, Exception error);
}

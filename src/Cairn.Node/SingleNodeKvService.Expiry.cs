using Cairn.Store;
using Microsoft.Extensions.Logging;

namespace Cairn.Node;

public sealed partial class SingleNodeKvService
{
    // The leader (here: the only node) finds keys whose expiry has passed and proposes an Expire
    // command carrying its clock reading, so every replica removes exactly the same keys.
    // Reads already hide expired keys; this only reclaims memory and emits expire events.
    private ITimer StartExpiryLoop(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromMilliseconds(_options.ExpiryIntervalMs);
        var running = 0;
        return _time.CreateTimer(_ =>
        {
            if (stoppingToken.IsCancellationRequested || Interlocked.Exchange(ref running, 1) == 1) return;
            _ = ExpireDueKeysAsync(stoppingToken).ContinueWith(_ => Volatile.Write(ref running, 0), TaskScheduler.Default);
        }, null, period, period);
    }

    private async Task ExpireDueKeysAsync(CancellationToken stoppingToken)
    {
        try
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var due = _store.Current.ExpiredKeys(now, _options.ExpiryBatchKeysMax);
            if (due.Count == 0) return;
            await ProposeAsync(new CommandEnvelope(null, new Expire(now, due)), stoppingToken);
        }
        catch (Exception e) when (e is OperationCanceledException or ServiceUnavailableException)
        {
            // Shutting down or overloaded: the next tick tries again.
        }
        catch (Exception e) when (e is not InvariantViolationException)
        {
            LogExpiryFailed(_log, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "proposing expiry of due keys failed")]
    private static partial void LogExpiryFailed(ILogger logger, Exception error);
}

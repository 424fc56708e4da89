using Cairn.Store;

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

    private Task ExpireDueKeysAsync(CancellationToken stoppingToken) =>
        ExpiryProposer.ProposeDueAsync(_store, _time, _options.ExpiryBatchKeysMax, ProposeAsync, _log, stoppingToken);
}

using System.Diagnostics;
using Cairn.Node;
using Cairn.Store;

namespace Cairn.Api.Metrics;

/// <summary>Counts and times every proposal and read that passes through the node's <see cref="IKvService"/>.</summary>
public sealed class MeteredKvService(IKvService inner, CairnMetrics metrics) : IKvService
{
    public NodeStatus Status => inner.Status;

    public async ValueTask<CommandResult> ProposeAsync(CommandEnvelope command, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var outcome = "error";
        try
        {
            var result = await inner.ProposeAsync(command, cancellationToken);
            outcome = result.IsOk ? "ok" : "refused";
            return result;
        }
        catch (ServiceUnavailableException e)
        {
            outcome = e.MayHaveApplied ? "unknown" : "unavailable";
            throw;
        }
        finally
        {
            metrics.ProposalSeconds.Record(Stopwatch.GetElapsedTime(start).TotalSeconds);
            metrics.Proposals.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    public async ValueTask<ReadResult> ReadAsync(ReadConsistency consistency, long minRevision, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var outcome = "error";
        try
        {
            var result = await inner.ReadAsync(consistency, minRevision, cancellationToken);
            outcome = "ok";
            return result;
        }
        catch (ServiceUnavailableException)
        {
            outcome = "unavailable";
            throw;
        }
        finally
        {
            var level = new KeyValuePair<string, object?>("level", Level(consistency));
            metrics.ReadSeconds.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, level);
            metrics.Reads.Add(1, level, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    private static string Level(ReadConsistency c) => c switch
    {
        ReadConsistency.Linearizable => "linearizable",
        ReadConsistency.Lease => "lease",
        ReadConsistency.Session => "session",
        _ => "stale",
    };
}

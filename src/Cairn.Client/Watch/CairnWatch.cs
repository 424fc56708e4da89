using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Cairn.Client;

/// <summary>
/// The change feed for <see cref="CairnClient"/>: an endless sequence of <see cref="WatchEvent"/>s that survives
/// disconnects. The client remembers the last revision it completely delivered and reconnects with
/// <c>fromRevision</c>; events of a transaction that were delivered before a disconnect are not delivered again.
/// </summary>
/// <remarks>
/// A (re)connection starts with a <see cref="WatchEventType.Start"/> event. Refusals (a 4xx answer) end the sequence with
/// a <see cref="CairnException"/>; network failures, 503 answers, a server that closed the stream and a connection silent
/// for <see cref="WatchRequest.IdleTimeout"/> are retried with back-off. Enumerate from one thread at a time.
/// </remarks>
public static class CairnWatch
{
    private static readonly TimeSpan ReconnectDelayMin = TimeSpan.FromMilliseconds(100);

    public static async IAsyncEnumerable<WatchEvent> WatchAsync(this CairnClient client, WatchRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        var resume = new WatchResume(request.FromRevision);
        var failures = 0;
        var delay = ReconnectDelayMin;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            idle.CancelAfter(request.IdleTimeout);
            var stream = await TryOpenAsync(client.Http, request, resume.After, idle.Token, cancellationToken);
            if (stream is not null)
            {
                await using (stream)
                {
                    while (true)
                    {
                        idle.CancelAfter(request.IdleTimeout);
                        var e = await TryReadAsync(stream, idle.Token, cancellationToken);
                        if (e is null) break;
                        failures = 0;
                        delay = ReconnectDelayMin;
                        if (resume.Skip(e)) continue;
                        idle.CancelAfter(Timeout.InfiniteTimeSpan); // the consumer's time is not the server's silence
                        yield return e;
                    }
                }
            }
            failures++;
            if (request.ReconnectAttemptsMax is { } max && failures > max)
                throw new HttpRequestException($"the watch could not reconnect after {max} attempts");
            await Task.Delay(delay, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, request.ReconnectDelayMax.Ticks));
        }
    }

    private static async Task<WatchStream?> TryOpenAsync(HttpClient http, WatchRequest request, long? resume, CancellationToken idle,
        CancellationToken cancellationToken)
    {
        try
        {
            return await WatchStream.OpenAsync(http, request.Transport, request.Query(resume), idle);
        }
        catch (CairnException e) when (e.Status == 503 || e.Status == 429)
        {
            return null;
        }
        catch (Exception e) when (IsTransient(e, cancellationToken))
        {
            return null;
        }
    }

    private static async Task<WatchEvent?> TryReadAsync(WatchStream stream, CancellationToken idle, CancellationToken cancellationToken)
    {
        try
        {
            return await stream.ReadAsync(idle) is { } json ? WatchEvent.Parse(json) : null;
        }
        catch (Exception e) when (IsTransient(e, cancellationToken))
        {
            return null;
        }
    }

    private static bool IsTransient(Exception e, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && e is HttpRequestException or IOException or WebSocketException or OperationCanceledException or JsonException;
}

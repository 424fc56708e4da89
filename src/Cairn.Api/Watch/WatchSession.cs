using Cairn.Store;

namespace Cairn.Api.Watch;

/// <summary>
/// Streams one watcher's messages, transport-agnostic: the start marker, a catch-up from the start revision (history
/// replay, or a snapshot when the history no longer reaches back), then live events from its queue, with progress
/// messages when the feed's timer asks and a resync whenever the queue overflowed or the node installed a snapshot.
/// </summary>
/// <remarks>
/// Invariant: every matching change with a revision in (start, <see cref="_delivered"/>] has been written exactly once,
/// whole revisions only; a change is written only if its revision is above <see cref="_delivered"/>, which then moves
/// to it. Threading: one task runs the session; the apply thread only offers to the queue.
/// </remarks>
internal sealed partial class WatchSession(ChangeFeed feed, Watcher watcher, WatchMessages messages)
{
    /// <summary>Events read from the history or the queue per write batch (whole revisions may exceed it).</summary>
    internal const int BatchEventsMax = 512;

    /// <summary>Pending bytes that force a flush in the middle of a batch or a snapshot page.</summary>
    internal const int FlushBytes = 64 * 1024;

    private readonly List<ChangeEvent> _batch = [];
    /// <summary>The last revision up to which everything matching has been written.</summary>
    private long _delivered;

    public async Task RunAsync(long start, string node, CancellationToken cancellationToken)
    {
        using var wake = cancellationToken.Register(static q => ((WatchQueue)q!).Close(), watcher.Queue);
        _delivered = start;
        messages.Start(start, node, watcher.Filter);
        await FlushAsync(cancellationToken);
        await CatchUpAsync(reason: "compacted", cancellationToken);
        while (!cancellationToken.IsCancellationRequested && !watcher.Queue.IsClosed)
        {
            var published = feed.PublishedRevision; // read before taking: everything up to it is queued or taken
            var resync = watcher.Queue.TryTake(_batch, BatchEventsMax, out var progressDue);
            if (resync != ResyncReason.None)
            {
                if (resync == ResyncReason.Overflow) messages.Overflow(_delivered, watcher.Queue.Capacity);
                await CatchUpAsync(resync == ResyncReason.Overflow ? "overflow" : "snapshot-installed", cancellationToken);
                continue;
            }
            if (_batch.Count == 0 && !progressDue)
            {
                await watcher.Queue.WaitAsync();
                continue;
            }
            await WriteNewAsync(_batch, cancellationToken);
            _batch.Clear();
            if (progressDue)
            {
                _delivered = Math.Max(_delivered, published);
                messages.Progress(_delivered);
            }
            await FlushAsync(cancellationToken);
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Writes the events above <see cref="_delivered"/> (whole revisions, already filtered) and moves it, flushing between
    /// revisions whenever <see cref="FlushBytes"/> are pending so large values never pile up in the buffer.
    /// </summary>
    private async ValueTask WriteNewAsync(List<ChangeEvent> events, CancellationToken cancellationToken)
    {
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (e.Revision <= _delivered) continue;
            var more = i + 1 < events.Count && events[i + 1].Revision == e.Revision;
            messages.Change(e, more);
            if (more) continue;
            _delivered = e.Revision;
            await FlushIfFullAsync(cancellationToken);
        }
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        watcher.SendStartedAtUnixMs = Math.Max(1, feed.NowUnixMs);
        await messages.Sink.FlushAsync(cancellationToken);
        watcher.SendStartedAtUnixMs = 0;
    }

    private ValueTask FlushIfFullAsync(CancellationToken cancellationToken) =>
        messages.Sink.PendingBytes >= FlushBytes ? FlushAsync(cancellationToken) : ValueTask.CompletedTask;
}

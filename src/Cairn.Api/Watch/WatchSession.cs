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

    private readonly List<ChangeEvent> _batch = new(BatchEventsMax);
    private long _delivered;

    /// <summary>The last revision up to which everything matching has been written.</summary>
    public long Delivered => _delivered;

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
            }
            else if (_batch.Count > 0)
            {
                WriteNew(_batch);
                _batch.Clear();
                await FlushAsync(cancellationToken);
            }
            else if (progressDue)
            {
                _delivered = Math.Max(_delivered, published);
                messages.Progress(_delivered);
                await FlushAsync(cancellationToken);
            }
            else await watcher.Queue.WaitAsync();
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Writes the events above <see cref="_delivered"/> (whole revisions, filtered) and moves it.</summary>
    private void WriteNew(List<ChangeEvent> events)
    {
        var skip = 0;
        while (skip < events.Count && events[skip].Revision <= _delivered) skip++;
        if (skip == events.Count) return;
        if (skip > 0) events.RemoveRange(0, skip);
        messages.Changes(events);
        _delivered = events[^1].Revision;
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

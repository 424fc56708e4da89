using Cairn.Store;

namespace Cairn.Api.Watch;

internal sealed partial class WatchSession
{
    /// <summary>Snapshot items read from the view per page.</summary>
    internal const int SnapshotPageItemsMax = 256;

    /// <summary>
    /// Brings the watcher from <see cref="_delivered"/> to the live stream: the queue is reset first, so every revision
    /// published from then on is queued (or the queue overflows again) and every earlier one is in the history that is
    /// read next — no gap; queued revisions already written are skipped by revision — no duplicate. When the history no
    /// longer reaches back, a snapshot of the matching items at the current revision replaces the missing events.
    /// </summary>
    private async Task CatchUpAsync(string reason, CancellationToken cancellationToken)
    {
        var store = feed.Store;
        do
        {
            watcher.Queue.Reset();
            while (!cancellationToken.IsCancellationRequested && !watcher.Queue.IsClosed)
            {
                if (!store.TryGetEventsAfter(_delivered, BatchEventsMax, out var events))
                {
                    await SnapshotAsync(store.Current, reason, cancellationToken);
                    continue;
                }
                if (events.Count == 0) break;
                var last = events[^1].Revision;
                _batch.Clear();
                foreach (var e in events)
                {
                    if (watcher.Filter.Matches(e)) _batch.Add(e);
                }
                await WriteNewAsync(_batch, cancellationToken);
                _batch.Clear();
                _delivered = Math.Max(_delivered, last);
                await FlushAsync(cancellationToken);
            }
            cancellationToken.ThrowIfCancellationRequested();
        }
        // The queue overflowed while the history was replayed: nothing was lost (the history covers it); go again.
        while (watcher.Queue.ResyncPending && !watcher.Queue.IsClosed);
    }

    /// <summary>The matching items of one immutable view, between begin and end markers; afterwards the watcher is at its revision.</summary>
    private async Task SnapshotAsync(StoreView view, string reason, CancellationToken cancellationToken)
    {
        messages.SnapshotBegin(view.Revision, reason);
        var filter = watcher.Filter;
        switch (filter.Kind)
        {
            case WatchFilterKind.Document:
                if (view.TryGetDocument(filter.Collection!, filter.Key!, out var doc)) messages.SnapshotItem(doc.Collection, doc.Id, doc.Json.Span, doc.Meta);
                break;
            case WatchFilterKind.Key:
                if (view.TryGetKey(filter.Key!, long.MinValue, out var entry)) messages.SnapshotItem(null, entry.Key, entry.Value.Span, entry.Meta);
                break;
            case WatchFilterKind.Collection:
                await SnapshotCollectionAsync(view, filter.Collection!, cancellationToken);
                break;
            case WatchFilterKind.Prefix:
                await SnapshotKeysAsync(view, filter.Key!, cancellationToken);
                break;
            default:
                foreach (var c in view.ListCollections()) await SnapshotCollectionAsync(view, c.Name, cancellationToken);
                await SnapshotKeysAsync(view, "", cancellationToken);
                break;
        }
        messages.SnapshotEnd(view.Revision);
        _delivered = view.Revision;
        await FlushAsync(cancellationToken);
    }

    private async Task SnapshotCollectionAsync(StoreView view, string collection, CancellationToken cancellationToken)
    {
        string? after = null;
        while (true)
        {
            var page = view.ListDocuments(collection, after, SnapshotPageItemsMax);
            foreach (var d in page)
            {
                messages.SnapshotItem(d.Collection, d.Id, d.Json.Span, d.Meta);
                await FlushIfFullAsync(cancellationToken);
            }
            if (page.Count < SnapshotPageItemsMax) return;
            after = page[^1].Id;
        }
    }

    /// <summary>Every stored key of the view, including keys whose expiry passed but that no Expire command removed yet:
    /// the snapshot is the state at its revision, and their expire events follow.</summary>
    private async Task SnapshotKeysAsync(StoreView view, string prefix, CancellationToken cancellationToken)
    {
        string? after = null;
        while (true)
        {
            var page = view.ListKeys(prefix, after, SnapshotPageItemsMax, long.MinValue);
            foreach (var k in page)
            {
                messages.SnapshotItem(null, k.Key, k.Value.Span, k.Meta);
                await FlushIfFullAsync(cancellationToken);
            }
            if (page.Count < SnapshotPageItemsMax) return;
            after = page[^1].Key;
        }
    }
}

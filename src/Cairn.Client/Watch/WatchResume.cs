namespace Cairn.Client;

/// <summary>
/// Where a watch resumes after a disconnect, and which replayed changes it already delivered. The server resumes after
/// a whole revision and replays whole revisions in the same order, so when the connection dropped inside a transaction
/// (some of its changes delivered with <c>more</c>), the watch resumes before that revision and drops as many of its
/// replayed changes as were delivered.
/// </summary>
/// <remarks>Not thread-safe; one per watch enumeration.</remarks>
internal sealed class WatchResume(long? fromRevision)
{
    private long _partialRevision = -1;
    private int _partialDelivered;
    private int _skip;

    /// <summary>Resume after this revision on the next connection (null: the node's current revision).</summary>
    public long? After { get; private set; } = fromRevision;

    /// <summary>True when <paramref name="e"/> was already delivered before the last reconnect; otherwise records it as delivered.</summary>
    public bool Skip(WatchEvent e)
    {
        if (e.Type == WatchEventType.Start) _skip = e.Revision == _partialRevision - 1 ? _partialDelivered : 0;
        else if (e.IsChange && e.Revision == _partialRevision && _skip > 0)
        {
            _skip--;
            return true;
        }
        Delivered(e);
        return false;
    }

    private void Delivered(WatchEvent e)
    {
        if (e.IsChange && e.More)
        {
            if (_partialRevision != e.Revision) (_partialRevision, _partialDelivered) = (e.Revision, 0);
            _partialDelivered++;
            After = Math.Max(After ?? 0, e.Revision - 1);
            return;
        }
        if (e.ResumePoint is { } point)
        {
            After = point;
            if (point >= _partialRevision) (_partialRevision, _partialDelivered) = (-1, 0);
        }
    }
}

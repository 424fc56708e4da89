using Cairn.Consensus;

namespace Cairn.Simulation;

/// <summary>
/// The fsync wait of the real driver's loop: after persisting a Ready the loop blocks in fsync
/// (<see cref="SimOptions.FsyncTicks"/> ticks here) and sends, applies and advances only once it returns. Meanwhile
/// inputs queue (the driver's input channel): peer messages, ticks, client requests. They are handed to the node in
/// arrival order once the sync is done. A crash in the window loses the queue and, on a power loss, the unsynced writes.
/// </summary>
internal sealed partial class SimNode
{
    private readonly Queue<Message> _inbox = new();
    private readonly List<ClientOp> _deferred = [];
    private int _ticksMissed;
    private Ready? _syncing;
    private long _syncDoneAt;
    private long _nextFlushAt;

    /// <summary>Persisted a Ready and waits for its fsync: no call into the core until then.</summary>
    public bool IsSyncing => _syncing is not null;

    /// <summary>A peer message arrives: stepped now, or queued while the node waits for an fsync.</summary>
    public void Deliver(Message message, Cluster cluster)
    {
        if (IsSyncing)
        {
            _inbox.Enqueue(message);
            return;
        }
        UpRaft.Step(message);
        cluster.Checker.AfterStep(this);
    }

    /// <summary>
    /// A tick: handled now, or counted while the node waits for an fsync and handled right after, so the node's clock
    /// does not fall behind. (The real driver keeps at most one tick queued: a stall longer than a tick slows its clock,
    /// a drift that matters only to lease reads. Here every node's clock stays exact, as lease safety assumes.)
    /// </summary>
    public void TickClock(Cluster cluster)
    {
        if (IsSyncing)
        {
            _ticksMissed++;
            return;
        }
        UpRaft.Tick();
        cluster.Checker.AfterStep(this);
    }

    /// <summary>A client request for a node waiting for an fsync: submitted once the wait is over.</summary>
    public void Defer(ClientOp op) => _deferred.Add(op);

    /// <summary>
    /// Handles the persisted Ready once its fsync is done, then what queued meanwhile. With
    /// <see cref="DriverFaults.AckBeforeSync"/>, runs the background flusher instead. False while still waiting.
    /// </summary>
    private bool CompleteSync(Cluster cluster)
    {
        if (cluster.Options.Teeth.Driver.HasFlag(DriverFaults.AckBeforeSync) && cluster.Now >= _nextFlushAt)
        {
            Disk.Sync();
            _nextFlushAt = cluster.Now + cluster.Options.FsyncTicks;
        }
        if (_syncing is not { } ready) return true;
        if (cluster.Now < _syncDoneAt) return false;
        _syncing = null;
        Disk.Sync();
        FinishReady(ready, cluster);
        while (IsUp && _inbox.TryDequeue(out var message))
        {
            UpRaft.Step(message);
            cluster.Checker.AfterStep(this);
        }
        for (; IsUp && _ticksMissed > 0; _ticksMissed--)
        {
            UpRaft.Tick();
            cluster.Checker.AfterStep(this);
        }
        var deferred = _deferred.ToList();
        _deferred.Clear();
        foreach (var op in deferred)
        {
            if (!op.Done) cluster.Clients.Submit(op, this);
        }
        return IsUp;
    }

    /// <summary>After persisting: wait for the fsync, or (nothing to sync, instant fsync, or acknowledging before sync) go on.</summary>
    private void AfterPersist(Ready ready, Cluster cluster)
    {
        var ackFirst = cluster.Options.Teeth.Driver.HasFlag(DriverFaults.AckBeforeSync);
        if (ackFirst || cluster.Options.FsyncTicks == 0 || !Disk.HasUnsynced)
        {
            if (!ackFirst) Disk.Sync();
            FinishReady(ready, cluster);
            return;
        }
        _syncing = ready;
        _syncDoneAt = cluster.Now + cluster.Options.FsyncTicks;
    }

    private void ResetInbox()
    {
        _inbox.Clear();
        _deferred.Clear();
        _ticksMissed = 0;
        _syncing = null;
    }

    /// <summary>A crash: queued messages are lost, queued client requests were never submitted (certainly not applied).</summary>
    private void FailInbox(SimClients clients)
    {
        foreach (var op in _deferred)
        {
            if (!op.Done) clients.Fail(op);
        }
        ResetInbox();
    }
}

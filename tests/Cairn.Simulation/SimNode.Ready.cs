using Cairn.Consensus;
using Cairn.Consensus.Storage;
using Cairn.Store;
using Cairn.Store.Codec;

namespace Cairn.Simulation;

internal sealed partial class SimNode
{
    /// <summary>Ready cycles handled back to back before the node must wait for the next tick (a loop bound).</summary>
    private const int ReadyCyclesPerTurnMax = 32;

    /// <summary>Handles Ready cycles until the node has nothing more to do right now, waits for an fsync, or crashed.</summary>
    public void DrainReady(Cluster cluster)
    {
        if (!IsUp || !CompleteSync(cluster)) return;
        for (var i = 0; i < ReadyCyclesPerTurnMax && IsUp && !IsSyncing && UpRaft.HasReady; i++) HandleReady(cluster);
    }

    /// <summary>One Ready cycle in the contract's order: early sends → persist → (fsync) → send → restore/apply → serve reads → Advance.</summary>
    private void HandleReady(Cluster cluster)
    {
        var raft = UpRaft;
        var ready = raft.GetReady();
        cluster.Checker.BeforePersist(this, ready);
        if (ready.EntriesToPersist.Count > 0 && ready.EntriesToPersist[0].Index <= LogStore.LastIndex) cluster.Stats.LogTruncations++;
        // As the real driver does: a leader's requests leave before the persist step (so a crash while persisting
        // can follow them), everything else once the writes are durable.
        foreach (var message in ready.Messages)
        {
            if (SentBeforePersist(ready, message)) Send(message, cluster);
        }
        if (CrashInNextPersist && ready.MustPersist)
        {
            // Written up to the cut, only the leader's requests sent, nothing applied: the restarted node must cope.
            var what = PersistTorn(ready, cluster.NextRandom);
            cluster.CrashNode(this, $"crash while persisting a Ready ({what})", cluster.Nemesis.NextCrashKind());
            return;
        }
        ReadyPersistence.Persist(ready, LogStore, StableStore, SnapshotStore);
        AfterPersist(ready, cluster);
    }

    /// <summary>The rest of a Ready once its writes are durable (or, with <see cref="DriverFaults.AckBeforeSync"/>, at once).</summary>
    private void FinishReady(Ready ready, Cluster cluster)
    {
        var raft = UpRaft;
        foreach (var message in ready.Messages)
        {
            if (!SentBeforePersist(ready, message)) Send(message, cluster);
        }

        if (ready.Snapshot is { } snapshot)
        {
            cluster.Checker.OnSnapshotInstall(this, snapshot);
            UpKv.InstallSnapshot(new MemoryStream(snapshot.Data.ToArray()));
            Applied = snapshot.Meta.Index;
            cluster.Stats.SnapshotsInstalled++;
            cluster.Trace.Add(7, Id.Value, snapshot.Meta.Index.Value, snapshot.Meta.Term.Value);
        }
        foreach (var entry in ready.CommittedEntries) Apply(entry, cluster);

        foreach (var state in ready.ReadStates) OnReadState(state);
        ServeReads(cluster.Clients);
        if (ready.SoftState is { } soft) OnSoftStateChange(soft, cluster);

        raft.Advance(ready);
        cluster.Checker.AfterReady(this);
        if (Amnesic && !raft.Recovering && raft.Status.Commit >= CatchUpTo) Amnesic = false;
    }

    private static bool SentBeforePersist(Ready ready, Message message) =>
        ready.MustPersist && ReadyPersistence.MaySendBeforePersist(message);

    private void Send(Message message, Cluster cluster)
    {
        if (Amnesic) cluster.Checker.BeforeAmnesicSend(this, message);
        Disk.RecordPromise(message, UpRaft);
        cluster.Send(message);
    }

    /// <summary>
    /// Persists a random prefix of the Ready's writes in the contract's order (snapshot save, log reset, a prefix of
    /// the entries, hard state), as a crash between two store writes (or within a WAL batch, after its torn tail was
    /// repaired) would leave it. Each in-memory store call is atomic, like one synced write.
    /// </summary>
    private string PersistTorn(Ready ready, Func<int, int> random)
    {
        // Each step gets the number of entries to write when it is the one the crash interrupts (-1: complete).
        var steps = new List<(string Name, Action<int> Write)>();
        if (ready.Snapshot is { } snapshot)
        {
            steps.Add(("snapshot saved", _ => SnapshotStore.Save(snapshot)));
            steps.Add(("log reset to it", _ => LogStore.Reset(snapshot.Meta.Index, snapshot.Meta.Term)));
        }
        var entries = ready.EntriesToPersist;
        if (entries.Count > 0) steps.Add(($"entries appended", keep => LogStore.Append(keep < 0 ? entries : [.. entries.Take(keep)])));
        if (ready.HardState is not null || ready.BootstrapMembership is not null)
        {
            steps.Add(("hard state saved", _ =>
            {
                var current = StableStore.Load();
                StableStore.Save(new StableState(ready.HardState ?? current?.HardState ?? default,
                    ready.BootstrapMembership ?? current?.Bootstrap ?? Membership.Empty));
            }));
        }
        // Steps done completely, then possibly a torn entry batch (a prefix survives the WAL's torn-tail repair).
        var done = random(steps.Count + 1);
        for (var i = 0; i < done; i++) steps[i].Write(-1);
        var what = done == 0 ? "nothing written" : string.Join(", ", steps.Take(done).Select(s => s.Name));
        if (done < steps.Count && steps[done].Name == "entries appended")
        {
            var keep = random(entries.Count);
            if (keep > 0) steps[done].Write(keep);
            what += $"; {keep}/{entries.Count} entries of a torn batch";
        }
        return what;
    }

    private KvStore UpKv => Kv ?? throw new InvalidOperationException($"{Id} is down");

    private void Apply(Entry entry, Cluster cluster)
    {
        cluster.Checker.OnApply(this, entry);
        cluster.Trace.Add(8, Id.Value, entry.Index.Value, entry.Term.Value);
        var revision = (long)entry.Index.Value;
        if (entry.Kind == EntryKind.Membership)
        {
            UpKv.Skip(revision);
            Applied = entry.Index;
            cluster.OnMembershipApplied(this, entry);
            return;
        }
        if (entry.Data.IsEmpty)
        {
            UpKv.Skip(revision); // the leader's no-op
            Applied = entry.Index;
            return;
        }
        var envelope = CommandCodec.Decode(entry.Data.Span);
        var result = UpKv.Apply(revision, envelope);
        Applied = entry.Index;
        cluster.Stats.CommandsApplied++;
        if (envelope.RequestId is not { } requestId) return;
        for (var i = 0; i < _pendingWrites.Count; i++)
        {
            var op = _pendingWrites[i];
            if (op.RequestId != requestId) continue;
            _pendingWrites.RemoveAt(i);
            if (!op.Done) cluster.Clients.Answer(op, result);
            return;
        }
    }

    private void OnReadState(ReadState state)
    {
        foreach (var op in _pendingReads)
        {
            if (op.ReadId != state.RequestId || op.HasReadIndex) continue;
            op.ReadIndex = state.Index;
            op.HasReadIndex = true;
            return;
        }
    }

    /// <summary>Answers every read whose confirmed read index is applied, from the state at that moment.</summary>
    public void ServeReads(SimClients clients)
    {
        for (var i = 0; i < _pendingReads.Count; i++)
        {
            var op = _pendingReads[i];
            if (op.Done)
            {
                _pendingReads.RemoveAt(i--);
                continue;
            }
            if (!op.HasReadIndex || op.ReadIndex > Applied) continue;
            _pendingReads.RemoveAt(i--);
            clients.AnswerRead(op, UpKv.Current);
        }
    }

    /// <summary>
    /// Leadership changed. A deposed leader's pending writes may or may not commit (Unknown); reads not yet confirmed
    /// are dropped by the core without an answer, so they fail here (a read has no effect). Confirmed reads stay valid.
    /// </summary>
    private void OnSoftStateChange(SoftState soft, Cluster cluster)
    {
        cluster.Trace.Add(9, Id.Value, soft.Leader.Value, (ulong)soft.Role);
        if (soft.Role != RaftRole.Leader)
        {
            foreach (var op in _pendingWrites)
            {
                if (!op.Done) cluster.Clients.Unknown(op);
            }
            _pendingWrites.Clear();
        }
        for (var i = 0; i < _pendingReads.Count; i++)
        {
            var op = _pendingReads[i];
            if (op.HasReadIndex && !op.Done) continue;
            _pendingReads.RemoveAt(i--);
            if (!op.Done) cluster.Clients.Fail(op);
        }
    }

    /// <summary>Snapshots the state machine once enough entries were applied since the latest snapshot (compacts the log).</summary>
    public void MaybeSnapshot(Cluster cluster, int everyEntries)
    {
        if (!IsUp || IsSyncing) return;
        var latest = SnapshotStore.LatestMeta?.Index ?? LogIndex.Zero;
        if (Applied.Value < latest.Value + (ulong)everyEntries) return;
        var kv = UpKv;
        Invariant.Check(kv.AppliedRevision == (long)Applied.Value, "the KvStore is at the applied index");
        using var buffer = new MemoryStream();
        kv.Current.WriteSnapshot(buffer);
        var data = buffer.ToArray();
        if (!UpRaft.CreateSnapshot(Applied, data)) return;
        cluster.Checker.OnSnapshotCreated(this, Applied, data);
        cluster.Stats.SnapshotsCreated++;
        cluster.Trace.Add(10, Id.Value, Applied.Value);
    }
}

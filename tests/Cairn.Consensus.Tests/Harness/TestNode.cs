using System.Text;
using Cairn.Consensus;
using Cairn.Consensus.Storage;

namespace Cairn.Consensus.Tests.Harness;

/// <summary>
/// One node under test: a RaftNode, its in-memory stores, and a tiny state machine (the list of applied payloads
/// as strings). The driver here follows the Ready contract: persist, send (hand back to the network), apply, Advance.
/// A crash drops the RaftNode and the state machine and keeps the stores; a restart rebuilds both from the stores.
/// </summary>
internal sealed class TestNode
{
    private readonly Func<RaftConfig> _config;

    public TestNode(ulong id, Func<RaftConfig> config, Action<InMemoryLogStore, InMemoryStableStore>? seedStores = null)
    {
        Id = new NodeId(id);
        _config = config;
        seedStores?.Invoke(Log, Stable);
        Raft = new RaftNode(config(), Log, Stable, Snapshots);
    }

    public NodeId Id { get; }
    public InMemoryLogStore Log { get; private set; } = new();
    public InMemoryStableStore Stable { get; private set; } = new();
    public InMemorySnapshotStore Snapshots { get; private set; } = new();
    public RaftNode Raft { get; private set; }
    public bool Up { get; private set; } = true;

    /// <summary>The state machine: applied Normal payloads, in order (restored from snapshots on restart).</summary>
    public List<string> State { get; } = [];

    /// <summary>Index of the last entry applied to <see cref="State"/>.</summary>
    public LogIndex AppliedIndex { get; private set; }

    /// <summary>Every entry this node ever applied, by index (survives crashes: it is the observer's record).</summary>
    public SortedDictionary<ulong, Entry> AppliedHistory { get; } = [];

    public List<ReadState> Reads { get; } = [];
    public List<SoftState> SoftStates { get; } = [];
    public List<Ready> Readies { get; } = [];
    public int SnapshotsInstalled { get; private set; }

    /// <summary>Handles one Ready per the contract and returns its messages (to be sent by the network).</summary>
    public IReadOnlyList<Message> ProcessReady(Action<string> violation)
    {
        var ready = Raft.GetReady();
        Readies.Add(ready);
        ReadyPersistence.Persist(ready, Log, Stable, Snapshots);
        if (ready.SoftState is { } soft) SoftStates.Add(soft);
        if (ready.Snapshot is { } snapshot)
        {
            RestoreState(snapshot);
            SnapshotsInstalled++;
        }
        foreach (var entry in ready.CommittedEntries)
        {
            if (entry.Index != AppliedIndex.Next) violation($"{Id} applied {entry.Index} after {AppliedIndex}");
            AppliedIndex = entry.Index;
            if (entry.Kind == EntryKind.Normal && !entry.Data.IsEmpty) State.Add(Encoding.UTF8.GetString(entry.Data.Span));
            if (AppliedHistory.TryGetValue(entry.Index.Value, out var before) && !SameEntry(before, entry))
                violation($"{Id} applied {entry} at {entry.Index} where it had applied {before}");
            AppliedHistory[entry.Index.Value] = entry;
        }
        Reads.AddRange(ready.ReadStates);
        Raft.Advance(ready);
        return ready.Messages;
    }

    public static bool SameEntry(Entry a, Entry b) =>
        a.Term == b.Term && a.Index == b.Index && a.Kind == b.Kind && a.Data.Span.SequenceEqual(b.Data.Span);

    /// <summary>Drains every pending Ready and returns all messages (for single-node scripted tests).</summary>
    public List<Message> Drain()
    {
        var messages = new List<Message>();
        for (var i = 0; i < 100 && Raft.HasReady; i++) messages.AddRange(ProcessReady(v => throw new InvalidOperationException(v)));
        return messages;
    }

    public void Crash() => Up = false;

    public void Restart()
    {
        Raft = new RaftNode(_config(), Log, Stable, Snapshots);
        State.Clear();
        AppliedIndex = LogIndex.Zero;
        if (Snapshots.LoadLatest() is { } snapshot) RestoreState(snapshot);
        Up = true;
    }

    /// <summary>An in-memory node's restart: every store is gone; optionally it declares that it is recovering.</summary>
    public void RestartEmpty(bool recover)
    {
        Log = new InMemoryLogStore();
        Stable = new InMemoryStableStore();
        Snapshots = new InMemorySnapshotStore();
        Restart();
        if (recover) Raft.BeginRecovery();
    }

    private void RestoreState(Snapshot snapshot)
    {
        State.Clear();
        State.AddRange(DecodeState(snapshot.Data.Span));
        AppliedIndex = snapshot.Meta.Index;
    }

    public byte[] EncodeState() => Encoding.UTF8.GetBytes(string.Join('\n', State));

    public static IEnumerable<string> DecodeState(ReadOnlySpan<byte> data) =>
        data.IsEmpty ? [] : Encoding.UTF8.GetString(data).Split('\n');

    /// <summary>Takes a snapshot of the state machine at the applied index.</summary>
    public bool TakeSnapshot() => Raft.CreateSnapshot(AppliedIndex, EncodeState());

    public override string ToString() => $"{Id} {Raft.Role} t{Raft.Term} commit={Raft.Status.Commit} applied={AppliedIndex}";
}

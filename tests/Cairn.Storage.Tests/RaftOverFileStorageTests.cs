using System.Text;
using Cairn.Consensus;
using Cairn.Storage.Tests.Support;
using static Cairn.Storage.Tests.Support.Build;

namespace Cairn.Storage.Tests;

/// <summary>
/// The real consensus core driven over the file stores, the way the node's driver does it (ReadyPersistence, then
/// Advance), restarted several times: everything committed before a restart is still there after it, through
/// snapshots, compaction and segment rollover.
/// </summary>
public sealed class RaftOverFileStorageTests : IDisposable
{
    private const int TicksMax = 10_000;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private sealed class StateMachine
    {
        public List<string> Items { get; } = [];
        public ulong Applied { get; set; }

        public byte[] Encode() => Encoding.UTF8.GetBytes(string.Join('\n', Items));

        public void Restore(Snapshot snapshot)
        {
            Items.Clear();
            var text = Encoding.UTF8.GetString(snapshot.Data.Span);
            if (text.Length > 0) Items.AddRange(text.Split('\n'));
            Applied = snapshot.Meta.Index.Value;
        }
    }

    [Theory]
    [InlineData(FsyncPolicy.PerBatch)]
    [InlineData(FsyncPolicy.IntervalMs)]
    public void ASingleNode_KeepsWhatItCommitted_AcrossRestarts(FsyncPolicy policy)
    {
        var options = new StorageOptions { DataDirectory = _dir.Path, SegmentBytes = 1024, EntryCacheBytes = 512, FsyncPolicy = policy };
        var expected = new List<string>();
        for (var round = 0; round < 4; round++)
        {
            using var storage = FileStorage.Open(options);
            var machine = new StateMachine();
            if (storage.Snapshots.LoadLatest() is { } latest) machine.Restore(latest);
            var config = new RaftConfig
            {
                Id = new NodeId(1), Random = new Random(round), Bootstrap = Membership.OfVoters(1), SnapshotLogTailEntries = 3,
            };
            var node = new RaftNode(config, storage.Log, storage.Stable, storage.Snapshots);

            Drive(node, storage, machine, () => node.Role == RaftRole.Leader);
            Assert.Equal(expected, machine.Items);

            for (var batch = 0; batch < 6; batch++)
            {
                var payloads = Enumerable.Range(0, 4).Select(i => $"r{round}b{batch}i{i}").ToList();
                Assert.True(node.Propose(payloads.Select(p => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(p)).ToList()).Accepted);
                expected.AddRange(payloads);
                Drive(node, storage, machine, () => machine.Items.Count == expected.Count);
                if (batch % 2 == 1) Assert.True(node.CreateSnapshot(I(machine.Applied), machine.Encode()));
            }
            Assert.Equal(expected, machine.Items);
            Assert.True(storage.Log.BaseIndex > LogIndex.Zero);
        }
    }

    private static void Drive(RaftNode node, FileStorage storage, StateMachine machine, Func<bool> done)
    {
        for (var tick = 0; tick < TicksMax; tick++)
        {
            while (node.HasReady)
            {
                var ready = node.GetReady();
                ReadyPersistence.Persist(ready, storage.Log, storage.Stable, storage.Snapshots);
                Assert.Empty(ready.Messages);
                if (ready.Snapshot is { } snapshot) machine.Restore(snapshot);
                foreach (var entry in ready.CommittedEntries)
                {
                    if (entry.Index.Value <= machine.Applied) continue;
                    if (entry.Kind == EntryKind.Normal && entry.Data.Length > 0) machine.Items.Add(Encoding.UTF8.GetString(entry.Data.Span));
                    machine.Applied = entry.Index.Value;
                }
                node.Advance(ready);
            }
            if (done()) return;
            node.Tick();
        }
        Assert.Fail("the node did not get there within the tick budget");
    }
}

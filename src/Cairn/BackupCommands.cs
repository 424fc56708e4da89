using System.CommandLine;
using Cairn.Consensus;
using Cairn.Consensus.Storage;
using Cairn.Node.Cluster;
using Cairn.Storage;
using KvStore = Cairn.Store.KvStore;
using StoreLimits = Cairn.Store.StoreLimits;

namespace Cairn.Cli;

/// <summary>
/// <c>cairn backup</c> streams a consistent snapshot from a running node (any node; linearizable by default);
/// <c>cairn restore</c> seeds the data directory of a node of a NEW cluster with it, offline. Run restore once per
/// founding node with the same file and the same <c>--peers</c>, then start the nodes as usual: each begins at the
/// backup's revision with the backup's state (same state hash, printed by both commands).
/// </summary>
internal static class BackupCommands
{
    public static IEnumerable<Command> Create() => [Backup(), Restore()];

    private static Command Backup()
    {
        var output = new Option<string>("--out", "-o") { Description = "File to write the snapshot to", Required = true };
        var consistency = new Option<string>("--consistency") { Description = "Read level of the snapshot", DefaultValueFactory = _ => "linearizable" };
        var command = new Command("backup", "Download a consistent snapshot of the whole store from a running node") { output, consistency };
        command.SetAction(async (parse, ct) =>
        {
            var server = new Uri(ServeCommand.ToUrl(parse.GetValue(ClientCommands.ServerOption)!).TrimEnd('/') + "/");
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            using var response = await http.GetAsync(new Uri(server, $"v1/_backup?consistency={Uri.EscapeDataString(parse.GetValue(consistency)!)}"),
                HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                await Console.Error.WriteLineAsync($"backup failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                return 1;
            }
            var path = parse.GetValue(output)!;
            var temp = path + ".partial";
            await using (var file = File.Create(temp))
            {
                await response.Content.CopyToAsync(file, ct);
                await file.FlushAsync(ct);
            }
            File.Move(temp, path, overwrite: true);
            var revision = response.Headers.TryGetValues("X-Cairn-Revision", out var r) ? r.First() : "?";
            var hash = response.Headers.TryGetValues("X-Cairn-State-Hash", out var h) ? h.First() : "?";
            Console.WriteLine($"backup of revision {revision} written to {path} ({new FileInfo(path).Length} bytes); state hash {hash}");
            return 0;
        });
        return command;
    }

    private static Command Restore()
    {
        var from = new Option<string>("--from") { Description = "Snapshot file written by cairn backup", Required = true };
        var dataDir = new Option<string>("--data-dir") { Description = "Data directory of the new node (must not hold data yet)", Required = true };
        var peers = new Option<string>("--peers") { Description = "The new cluster's founding voters, name=host:port,... (as given to cairn serve)", Required = true };
        var command = new Command("restore", "Seed the data directory of a founding node of a new cluster with a backup (offline; run it for every founding node)")
        {
            from, dataDir, peers,
        };
        command.SetAction((parse, _) =>
        {
            var cluster = new ClusterOptions { Peers = parse.GetValue(peers) };
            IReadOnlyList<(string Name, string Address)> members;
            try
            {
                members = cluster.ParsePeers();
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine(e.Message);
                return Task.FromResult(2);
            }
            var data = File.ReadAllBytes(parse.GetValue(from)!);
            KvStore store;
            using (var stream = new MemoryStream(data, writable: false)) store = KvStore.Restore(stream, StoreLimits.Default);
            var revision = store.AppliedRevision;
            var hash = Convert.ToHexStringLower(store.Current.ComputeStateHash());
            using var storage = FileStorage.Open(new StorageOptions { DataDirectory = parse.GetValue(dataDir)! });
            if (storage.Log.LastIndex.Value > 0 || storage.Snapshots.LatestMeta is not null || storage.Stable.Load() is not null)
            {
                Console.Error.WriteLine($"{parse.GetValue(dataDir)} already holds a node's state; restore only into a new, empty data directory");
                return Task.FromResult(2);
            }
            // The snapshot sits at the backup's revision in term 1; the first election of the new cluster is term 2.
            var voters = new Membership(members.Select(m => NodeNames.ToId(m.Name)), []);
            var index = new LogIndex((ulong)revision);
            storage.Snapshots.Save(new Snapshot(new SnapshotMeta(index, new Term(1), voters), data));
            storage.Log.Reset(index, new Term(1));
            storage.Stable.Save(new StableState(new HardState(new Term(1), NodeId.None, index), voters));
            storage.Flush();
            Console.WriteLine($"restored revision {revision} into {parse.GetValue(dataDir)} for a cluster of {members.Count}; state hash {hash}");
            return Task.FromResult(0);
        });
        return command;
    }
}

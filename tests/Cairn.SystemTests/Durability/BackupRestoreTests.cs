using System.Text.RegularExpressions;
using Cairn.SystemTests.Harness;

namespace Cairn.SystemTests.Durability;

/// <summary>
/// Issue 6's backup and restore, the way an operator runs them: <c>cairn backup --out F</c> against a running 3-node
/// cluster under write load; <c>cairn restore --from F --data-dir D --peers …</c> once per founding node of a NEW
/// cluster (the procedure of src/Cairn/BackupCommands.cs); the new nodes started as usual.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed partial class BackupRestoreTests(ITestOutputHelper output)
{
    [Fact]
    public async Task BackupUnderLoad_RestoredIntoANewCluster_HasTheSameStateHashAndDocuments()
    {
        await using var source = await TestCluster.StartAsync("backup-source");
        await Scenario.RunAsync(source, async () =>
        {
            var names = source.Names.ToList();
            await using var writer = new AckedWriter(source, names);
            writer.Start();
            await Poll.UntilAsync("100 writes acknowledged before the backup", TestCluster.DefaultWait,
                () => Task.FromResult((writer.Acked.Count >= 100, $"{writer.Acked.Count} acknowledged")));
            var ackedBefore = writer.Acked.Keys.ToHashSet();
            var file = Path.Combine(source.LogDirectory, "cluster.backup");
            var (exit, lines) = await CliRun.RunAsync(Path.Combine(source.LogDirectory, "backup.out"),
                "backup", "--server", source[names[1]].HttpUri.ToString(), "--out", file);
            var printed = string.Join('\n', lines);
            Assert.True(exit == 0, $"cairn backup exited with {exit}: {printed}");
            var match = BackupLine().Match(printed);
            Assert.True(match.Success, $"cairn backup printed no revision and hash: {printed}");
            var (revision, hash) = (long.Parse(match.Groups["rev"].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups["hash"].Value);
            output.WriteLine($"{printed}  ({writer.Acked.Count} writes acknowledged by then)");
            await Poll.UntilAsync("30 more writes after the backup", TestCluster.DefaultWait,
                () => Task.FromResult((writer.Acked.Count >= ackedBefore.Count + 130, $"{writer.Acked.Count} acknowledged")));
            await writer.StopAsync();
            Assert.Empty(writer.Errors);
            var (sourceDocs, _) = await AckCheck.ReadCollectionAsync(source.Client(names[0]), writer.Collection);
            var expected = sourceDocs.Where(d => d.Value.Revision <= revision).ToDictionary();
            Assert.True(sourceDocs.Count > expected.Count, "the load went on after the backup (the check below must be able to tell)");
            Assert.All(ackedBefore, path => Assert.True(expected.ContainsKey(path.Split('/')[^1]), $"{path} was acknowledged before the backup began"));

            // A new cluster: its founding nodes' data directories are seeded before any node starts. Every relay is cut
            // at first, so no node can elect a leader (whose first entry would move the revision) before the check.
            await using var restored = TestCluster.Prepare("restored", new ClusterSpec { Relays = true });
            foreach (var node in restored.Nodes)
            {
                var peers = node.Arguments[node.Arguments.ToList().IndexOf("--peers") + 1];
                var (code, said) = await CliRun.RunAsync(Path.Combine(restored.LogDirectory, $"restore-{node.Name}.out"),
                    "restore", "--from", file, "--data-dir", restored.DataDirectory(node.Name), "--peers", peers);
                Assert.True(code == 0, $"cairn restore for {node.Name} exited with {code}: {string.Join('\n', said)}");
                Assert.Contains(said, l => l.Contains($"restored revision {revision}", StringComparison.Ordinal) && l.EndsWith($"state hash {hash}", StringComparison.Ordinal));
            }
            foreach (var name in restored.Names) restored.Partition(name);
            foreach (var node in restored.Nodes) node.Start();
            foreach (var name in restored.Names)
            {
                await restored.WaitListeningAsync(name);
                var state = await restored.Client(name).HashAsync();
                output.WriteLine($"restored {name} before its peers could reach it: revision {state.Revision}, hash {state.Hash}");
                Assert.Equal((revision, hash), (state.Revision, state.Hash));
            }

            restored.HealAll();
            var leader = await restored.WaitForLeaderAsync(timeout: TimeSpan.FromSeconds(30));
            await restored.WaitReadyAsync();
            var converged = await restored.WaitConvergedAsync();
            output.WriteLine($"the restored cluster elected {leader} and converged at revision {converged}");
            foreach (var name in restored.Names)
            {
                var (docs, at) = await AckCheck.ReadCollectionAsync(restored.Client(name), writer.Collection);
                Assert.True(at > revision, $"{name} read at {at}");
                Assert.Equal(expected.OrderBy(d => d.Key), docs.OrderBy(d => d.Key));
            }
            output.WriteLine($"{expected.Count} documents read back equal on every restored node");

            using var put = await Retrying.PutAsync(restored.Client(leader), "v1/after-restore/x", "{\"ok\":true}", TestCluster.DefaultWait);
            Assert.Equal(System.Net.HttpStatusCode.Created, put.StatusCode);
        });
    }

    [GeneratedRegex(@"backup of revision (?<rev>\d+) written to .* state hash (?<hash>[0-9a-f]{64})")]
    private static partial Regex BackupLine();
}

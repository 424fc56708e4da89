using System.Globalization;
using System.Text.Json;
using Cairn.Checking;
using Cairn.SystemTests.Harness;

namespace Cairn.FaultTests.Run;

/// <summary>
/// Saves a failed run's evidence in one folder (<c>$TMPDIR/cairn-faults/&lt;time&gt;-&lt;scenario&gt;-seed&lt;seed&gt;/</c>):
/// the history (JSON lines, re-checkable with <c>LinearizabilityChecker.Check(HistoryJson.ReadFile(…))</c>), the
/// client records, the fault log, the figures, the checker's description, every node's log and the seed with its replay
/// command. The nodes' data directories stay in the cluster's log directory, named in seed.txt.
/// </summary>
public static class Artifacts
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Save(RunReport report, TestCluster cluster)
    {
        var dir = Path.Combine(Path.GetTempPath(), "cairn-faults",
            $"{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{report.Spec.Name}-seed{report.Spec.Seed}");
        Directory.CreateDirectory(dir);
        var history = report.History.Count > 0 ? report.History : report.Run.Recorder.Snapshot();
        HistoryJson.WriteFile(Path.Combine(dir, "history.jsonl"), history);
        File.WriteAllLines(Path.Combine(dir, "records.jsonl"), report.Run.Records.OrderBy(r => r.Index).Select(r => JsonSerializer.Serialize(r, Json)));
        File.WriteAllText(Path.Combine(dir, "faults.log"), report.Run.Faults.Describe());
        File.WriteAllText(Path.Combine(dir, "figures.txt"), report.Figures());
        File.WriteAllText(Path.Combine(dir, "checker.txt"), report.Linearizability?.Describe() ?? "(not checked)");
        File.WriteAllLines(Path.Combine(dir, "anomalies.txt"), report.Anomalies.Select(a => a.ToString()));
        File.WriteAllText(Path.Combine(dir, "seed.txt"),
            $"seed {report.Spec.Seed}\nspec {report.Spec.Describe()}\ncluster {cluster.ClusterId}, node logs and data under {cluster.LogDirectory}\n" +
            $"replay: {Tier.SeedVariable}={report.Spec.Seed} dotnet test -c Release tests/Cairn.FaultTests --filter \"FullyQualifiedName~{report.Spec.Name}\"\n" +
            (report.Crash is null ? "" : $"run failure: {report.Crash}\n"));
        var nodes = Directory.CreateDirectory(Path.Combine(dir, "nodes"));
        foreach (var node in cluster.Nodes)
        {
            if (File.Exists(node.LogPath)) File.Copy(node.LogPath, Path.Combine(nodes.FullName, Path.GetFileName(node.LogPath)), overwrite: true);
        }
        return dir;
    }
}

namespace Cairn.SystemTests.Harness;

public sealed partial class TestCluster
{
    /// <summary>
    /// Lays out the founding nodes (ports, relays, command lines) without starting any: the test prepares their data
    /// directories first (e.g. <c>cairn restore</c>), then starts them with <see cref="NodeProcess.Start"/> and waits.
    /// </summary>
    public static TestCluster Prepare(string label, ClusterSpec? spec = null)
    {
        var cluster = new TestCluster(spec ?? new ClusterSpec(), label);
        cluster.CreateFoundingNodes();
        return cluster;
    }

    /// <summary>
    /// The data directory of a durable node started without --data-dir: <c>cairn-data/&lt;name&gt;</c> under the
    /// process's working directory, which is <see cref="LogDirectory"/>.
    /// </summary>
    public string DataDirectory(string name) => Path.Combine(LogDirectory, "cairn-data", name);
}

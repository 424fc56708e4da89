using System.CommandLine;
using Cairn.Api;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Cairn.Cli;

/// <summary><c>cairn serve</c>: runs one node.</summary>
internal static class ServeCommand
{
    public const string DefaultHttp = "127.0.0.1:7070";

    public static Command Create()
    {
        var http = new Option<string>("--http")
        {
            Description = "Address to serve the HTTP API on, as host:port or a URL (loopback by default; use 0.0.0.0:7070 to listen on every interface)",
            DefaultValueFactory = _ => DefaultHttp,
        };
        var nodeId = new Option<string>("--node-id")
        {
            Description = "This node's id: 1-32 characters of a-z, 0-9 and '-'",
            DefaultValueFactory = _ => "n1",
        };
        var peerAddress = new Option<string?>("--peer-address")
        {
            Description = "host:port to listen on for other nodes (default for a node started alone: 127.0.0.1 and the HTTP port + 100; "
                + "a node started alone with --in-memory runs without Raft and without a peer port)",
        };
        var peers = new Option<string?>("--peers")
        {
            Description = "The founding voters as name=host:port,... (this node among them); give every founding node the same list",
        };
        var join = new Option<string?>("--join")
        {
            Description = "HTTP URL of any running node: this node asks to be added (learner first, voter once caught up)",
        };
        var clusterId = new Option<string?>("--cluster-id") { Description = "Name of the cluster; nodes of different clusters refuse each other (default cairn)" };
        var advertise = new Option<string?>("--advertise-http") { Description = "URL other nodes and the web UI use to reach this node's HTTP API (default: the --http address)" };
        var sharedHttp = new Option<string?>("--shared-http")
        {
            Description = "Also serve HTTP on this host:port with SO_REUSEPORT, shared with other nodes on the machine (cairn dev --reuse-port)",
        };
        var dataDir = new Option<string?>("--data-dir") { Description = "Where this node keeps its write-ahead log and snapshots (default cairn-data/<node-id>)" };
        var inMemory = new Option<bool>("--in-memory") { Description = "Keep nothing on disk: a restarted node catches up from the others (a cluster that loses every node loses its data)" };
        var fsync = new Option<string?>("--fsync") { Description = "When the log reaches the disk: PerBatch (default: before a write is acknowledged), IntervalMs, Never" };
        var parentPid = new Option<int?>("--parent-pid") { Description = "Stop when the process with this id exits (used by cairn dev)", Hidden = true };
        var command = new Command("serve", "Run a Cairn node. Further settings can be given as --Cairn:Section:Key=value or CAIRN__Section__Key environment variables.")
        {
            http,
            nodeId,
            peerAddress,
            peers,
            join,
            clusterId,
            advertise,
            sharedHttp,
            dataDir,
            inMemory,
            fsync,
            parentPid,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            var url = ToUrl(parse.GetValue(http)!);
            var hostArgs = new List<string> { "--urls", url, $"--{Node.NodeOptions.Section}:NodeId={parse.GetValue(nodeId)}" };
            const string Cluster = Node.Cluster.ClusterOptions.Section;
            var (pa, ps) = (parse.GetValue(peerAddress), parse.GetValue(peers));
            if (pa is null && ps is null && parse.GetValue(join) is null && !parse.GetValue(inMemory))
            {
                // Alone and durable: a one-voter Raft cluster, so that what it acknowledged survives a restart.
                var port = new Uri(url).Port;
                if (port is 0 or > 65_435)
                {
                    Console.Error.WriteLine("cairn serve: give --peer-address (or --in-memory) when --http has port 0 or above 65435");
                    return 2;
                }
                pa = $"127.0.0.1:{port + 100}";
                ps = $"{parse.GetValue(nodeId)}={pa}";
            }
            if (pa is not null)
            {
                hostArgs.Add($"--{Cluster}:PeerAddress={pa}");
                // A cluster member lists its HTTP listeners itself (see ClusterOptions.HttpUrls), not through "urls".
                hostArgs.Remove("--urls");
                hostArgs.Remove(url);
                hostArgs.Add($"--{Cluster}:HttpUrls={url}");
            }
            if (ps is not null) hostArgs.Add($"--{Cluster}:Peers={ps}");
            if (parse.GetValue(join) is { } j) hostArgs.Add($"--{Cluster}:Join={j}");
            if (parse.GetValue(clusterId) is { } c) hostArgs.Add($"--{Cluster}:ClusterId={c}");
            if (parse.GetValue(advertise) is { } a) hostArgs.Add($"--{Cluster}:AdvertiseHttp={a}");
            if (parse.GetValue(sharedHttp) is { } sh) hostArgs.Add($"--{Cluster}:SharedHttp={sh}");
            if (parse.GetValue(dataDir) is { } dd) hostArgs.Add($"--{Cluster}:DataDirectory={dd}");
            if (parse.GetValue(inMemory)) hostArgs.Add($"--{Cluster}:InMemory=true");
            if (parse.GetValue(fsync) is { } fs) hostArgs.Add($"--{Cluster}:FsyncPolicy={fs}");
            hostArgs.AddRange(parse.UnmatchedTokens);
            await using var app = CairnApi.Build([.. hostArgs], b => b.Configuration.AddEnvironmentVariables("CAIRN__"));
            await app.StartAsync(ct);
            if (parse.GetValue(parentPid) is { } parent) _ = StopWhenGoneAsync(parent, app);
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }

    private static async Task StopWhenGoneAsync(int parent, Microsoft.AspNetCore.Builder.WebApplication app)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        while (await timer.WaitForNextTickAsync(app.Lifetime.ApplicationStopping))
        {
            if (Signals.IsAlive(parent)) continue;
            await app.StopAsync();
            return;
        }
    }

    public static string ToUrl(string address) =>
        address.Contains("://", StringComparison.Ordinal) ? address : "http://" + address;
}

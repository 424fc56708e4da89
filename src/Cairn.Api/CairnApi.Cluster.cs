using System.ComponentModel.DataAnnotations;
using System.Net;
using Cairn.Consensus.Storage;
using Cairn.Api.Metrics;
using Cairn.Node;
using Cairn.Node.Cluster;
using Cairn.Storage;
using Cairn.Store;
using Cairn.Transport;
using Cairn.Transport.Tcp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cairn.Api;

public static partial class CairnApi
{
    /// <summary>
    /// Builds the server <c>cairn serve</c> runs: a cluster member when <c>Cairn:Cluster:PeerAddress</c> is set
    /// (see <see cref="ClusterOptions"/>), otherwise the single-node server of <see cref="BuildSingleNode"/>.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var probe = new ConfigurationBuilder().AddCommandLine(args).AddEnvironmentVariables("CAIRN__").Build();
        var cluster = probe.GetSection(ClusterOptions.Section).Get<ClusterOptions>() ?? new ClusterOptions();
        if (!cluster.IsClustered) return BuildSingleNode(args, configure);

        var builder = WebApplication.CreateSlimBuilder(args);
        configure?.Invoke(builder);
        cluster = builder.Configuration.GetSection(ClusterOptions.Section).Get<ClusterOptions>() ?? cluster;
        Validator.ValidateObject(cluster, new ValidationContext(cluster), validateAllProperties: true);
        builder.Services.AddOptions<NodeOptions>().Bind(builder.Configuration.GetSection(NodeOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        var nodeName = builder.Configuration[$"{NodeOptions.Section}:NodeId"] ?? new NodeOptions().NodeId;
        var id = NodeNames.ToId(nodeName);
        var urls = (cluster.HttpUrls ?? builder.Configuration["urls"] ?? "http://127.0.0.1:7070").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        cluster.AdvertiseHttp ??= urls[0].Replace("0.0.0.0", Dns.GetHostName(), StringComparison.Ordinal);
        var peerEndpoint = ToEndpoint(PeerAddress.Parse(cluster.PeerAddress!));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Endpoints configured in code replace the "urls" setting, so the HTTP ones are listed here too.
            foreach (var url in urls)
            {
                var uri = new Uri(url.Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal));
                kestrel.Listen(ToEndpoint(new PeerAddress(uri.Host, uri.Port)));
            }
            kestrel.ListenPeers(peerEndpoint);
            if (cluster.SharedHttp is { } shared) kestrel.Listen(ToEndpoint(PeerAddress.Parse(shared)));
        });
        if (cluster.SharedHttp is { } sharedHttp)
        {
            var sharedEndpoint = ToEndpoint(PeerAddress.Parse(sharedHttp));
            builder.WebHost.UseSockets(sockets => sockets.CreateBoundListenSocket = endpoint =>
                endpoint is IPEndPoint ip && ip.Equals(sharedEndpoint) ? ReusePortSocket(ip) : SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint));
        }
        builder.Services.AddSingleton(sp => new TcpTransport(new TransportOptions { LocalId = id, ClusterId = cluster.ClusterId },
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddSingleton<ITransport>(sp => sp.GetRequiredService<TcpTransport>());
        builder.Services.AddSingleton(sp => new KvStore(TestingLimits(cluster, StoreLimitsFrom(
            sp.GetRequiredService<IOptions<ApiOptions>>().Value, sp.GetRequiredService<IOptions<Cairn.Api.Watch.WatchOptions>>().Value))));
        builder.Services.AddSingleton(sp => CreateNode(cluster, nodeName, sp));
        builder.Services.AddSingleton<IKvService>(sp => new MeteredKvService(sp.GetRequiredService<ClusterNode>(), sp.GetRequiredService<CairnMetrics>()));
        builder.Services.AddSingleton<IClusterAdmin>(sp => sp.GetRequiredService<ClusterNode>());
        builder.Services.AddHostedService<ClusterNodeHost>();
        AddServices(builder);
        var app = builder.Build();
        MapRoutes(app);
        return app;
    }

    // TEST ONLY (Cairn:Cluster:Testing:SkipDedup): a dedup window of size 0 remembers nothing, so retries apply again.
    private static StoreLimits TestingLimits(ClusterOptions cluster, StoreLimits limits) =>
        cluster.Testing.SkipDedup ? limits with { DedupEntriesMax = 0 } : limits;

    // SO_REUSEPORT must be set before bind, so the socket is made here rather than by Kestrel's default.
    private static System.Net.Sockets.Socket ReusePortSocket(IPEndPoint endpoint)
    {
        const int SolSocket = 1, SoReusePort = 15; // Linux values
        var socket = new System.Net.Sockets.Socket(endpoint.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
        socket.Bind(endpoint);
        return socket;
    }

    private static ClusterNode CreateNode(ClusterOptions cluster, string nodeName, IServiceProvider sp)
    {
        var nodeOptions = sp.GetRequiredService<IOptions<NodeOptions>>().Value;
        var transport = sp.GetRequiredService<ITransport>();
        var store = sp.GetRequiredService<KvStore>();
        var time = sp.GetRequiredService<TimeProvider>();
        var loggers = sp.GetRequiredService<ILoggerFactory>();
        if (cluster.InMemory)
        {
            return new ClusterNode(cluster, nodeOptions, transport, store, new InMemoryLogStore(), new InMemoryStableStore(),
                new InMemorySnapshotStore(), time, loggers);
        }
        var storage = FileStorage.Open(new StorageOptions
        {
            DataDirectory = cluster.DataDirectory ?? Path.Combine("cairn-data", nodeName),
            FsyncPolicy = cluster.FsyncPolicy,
            FsyncIntervalMs = cluster.FsyncIntervalMs,
            CommitSaveIntervalMs = cluster.CommitSaveIntervalMs,
            TruncateCorruptTail = cluster.TruncateCorruptTail,
            SegmentBytes = cluster.WalSegmentBytes,
        }, loggers.CreateLogger<FileStorage>(), time);
        try
        {
            return new ClusterNode(cluster, nodeOptions, transport, store, storage.Log, storage.Stable, storage.Snapshots, time, loggers, storage);
        }
        catch
        {
            storage.Dispose();
            throw;
        }
    }

    private static IPEndPoint ToEndpoint(PeerAddress address)
    {
        if (address.Host is "localhost") return new IPEndPoint(IPAddress.Loopback, address.Port);
        if (IPAddress.TryParse(address.Host, out var ip)) return new IPEndPoint(ip, address.Port);
        var resolved = Dns.GetHostAddresses(address.Host).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? throw new ArgumentException($"'{address.Host}' does not resolve to an IPv4 address");
        return new IPEndPoint(resolved, address.Port);
    }

    /// <summary>
    /// Starts the node once the server listens (hosted services start before Kestrel binds, and the node's first step
    /// asks its peers over the peer listener), and stops it (transport, driver) when the host stops.
    /// </summary>
    private sealed class ClusterNodeHost(ClusterNode node, IHostApplicationLifetime lifetime, ILogger<ClusterNodeHost> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            lifetime.ApplicationStarted.Register(() => _ = StartNodeAsync());
            return Task.CompletedTask;
        }

        private async Task StartNodeAsync()
        {
            try
            {
                await node.StartAsync(lifetime.ApplicationStopping);
                // A dead Raft loop would leave a process that answers HTTP but never again takes part in consensus
                // (silently not ready forever). Programmer errors fail fast, so a supervisor sees the crash.
                _ = node.Driver.Completion.ContinueWith(
                    t => Environment.FailFast($"node {node.Name}: the Raft loop stopped: {t.Exception?.InnerException?.Message}", t.Exception?.InnerException),
                    CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            catch (Exception e) when (e is not InvariantViolationException)
            {
                logger.LogCritical(e, "the node failed to start; stopping");
                lifetime.StopApplication();
            }
        }

        public async Task StopAsync(CancellationToken cancellationToken) => await node.DisposeAsync();
    }
}

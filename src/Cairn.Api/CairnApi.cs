using Cairn.Api.Metrics;
using Cairn.Api.Watch;
using Cairn.Node;
using Cairn.Store;
using Cairn.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cairn.Api;

/// <summary>Composition of the HTTP API: services, middleware and routes.</summary>
public static partial class CairnApi
{
    /// <summary>How many times the body limit Kestrel accepts on the wire, so refused bodies can be drained.</summary>
    public const int RefusedBodyDrainFactor = 4;

    /// <summary>Builds a single-node server: <c>cairn serve</c> and the API tests use exactly this.</summary>
    public static WebApplication BuildSingleNode(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Services.AddOptions<NodeOptions>().Bind(builder.Configuration.GetSection(NodeOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp => new KvStore(StoreLimitsFrom(
            sp.GetRequiredService<IOptions<ApiOptions>>().Value, sp.GetRequiredService<IOptions<WatchOptions>>().Value)));
        builder.Services.AddSingleton<SingleNodeKvService>();
        builder.Services.AddSingleton<IKvService>(sp => new MeteredKvService(sp.GetRequiredService<SingleNodeKvService>(), sp.GetRequiredService<CairnMetrics>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SingleNodeKvService>());
        AddServices(builder);
        configure?.Invoke(builder);
        var app = builder.Build();
        MapRoutes(app);
        return app;
    }

    /// <summary>The store's apply-time limits follow the API's, so the API never accepts what the store would refuse.</summary>
    public static StoreLimits StoreLimitsFrom(ApiOptions api) => StoreLimits.Default with
    {
        KeyBytesMax = api.KeyBytesMax,
        ValueBytesMax = api.ValueBytesMax,
        TxnOpsMax = api.TxnOpsMax,
        JsonDepthMax = api.JsonDepthMax,
    };

    /// <summary>As above, with the change history bounded by the node's watch options (history size is per node, not replicated state).</summary>
    public static StoreLimits StoreLimitsFrom(ApiOptions api, WatchOptions watch) => StoreLimitsFrom(api) with
    {
        HistoryEventsMax = watch.HistoryEventsMax,
        HistoryBytesMax = watch.HistoryBytesMax,
    };

    public static void AddServices(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ApiOptions>().Bind(builder.Configuration.GetSection(ApiOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ApiOptions>>().Value);
        services.AddSingleton<RequestValidation>();
        services.AddSingleton<Writes>();
        services.AddSingleton<SortableIds>();
        services.AddSingleton(sp => new CairnMetrics(() => sp.GetRequiredService<IKvService>().Status, sp.GetService<Cairn.Transport.ITransport>(),
            () => (sp.GetService<Cairn.Node.Cluster.ClusterNode>()?.OwnedStorage as Cairn.Storage.FileStorage)?.Log.Stats));
        services.AddSingleton<PrometheusExporter>();
        services.AddOptions<WatchOptions>().Bind(builder.Configuration.GetSection(WatchOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        // The feed follows whatever KvStore the node registered: every node applies the same log to its own store.
        services.AddSingleton<ChangeFeed>();
        services.AddSingleton(TimeProvider.System);
        services.AddOpenApi();
        services.AddWebUi();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
        builder.WebHost.ConfigureKestrel((ctx, kestrel) =>
        {
            var api = ctx.Configuration.GetSection(ApiOptions.Section).Get<ApiOptions>() ?? new ApiOptions();
            // Kestrel's own limit sits well above ours: our 413 problem answer is the one clients see, and a refused
            // body up to this size is drained so the client can read that answer (beyond it the connection closes).
            kestrel.Limits.MaxRequestBodySize = (long)api.RequestBodyBytesMax * RefusedBodyDrainFactor + 1;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromMilliseconds(api.RequestHeadersTimeoutMs);
            kestrel.AddServerHeader = false;
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
    }

    public static void MapRoutes(WebApplication app)
    {
        MetricsEndpoints.UseRequestMetrics(app);
        app.UseMiddleware<ProblemMiddleware>();
        app.UseWebSockets();
        app.MapOpenApi("/openapi/{documentName}.json");
        OperationsEndpoints.Map(app);
        MetricsEndpoints.Map(app);
        var v1 = app.MapGroup("/v1");
        KvEndpoints.Map(v1);
        TxnEndpoints.Map(v1);
        ClusterEndpoints.Map(v1);
        BackupEndpoints.Map(v1);
        WatchEndpoint.Map(v1);
        DocumentEndpoints.Map(v1);
        app.MapWebUi();
    }
}

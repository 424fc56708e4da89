using Cairn.Node;
using Cairn.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using static Cairn.Api.Tests.ApiServer;

namespace Cairn.Api.Tests;

/// <summary>The API against a fake <see cref="IKvService"/> that cannot serve: every failure becomes a 503 problem that says whether to retry.</summary>
public sealed class UnavailabilityTests : IAsyncLifetime
{
    private readonly FakeKvService _kv = new();
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _app = CairnApi.BuildSingleNode(["--urls", "http://127.0.0.1:0", "--Cairn:Api:WriteTimeoutMs=200"],
            b => b.Services.AddSingleton<IKvService>(_kv));
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task NoLeader_OnRead_Is503WithReasonAndRetryAfter()
    {
        _kv.Failure = new ServiceUnavailableException(UnavailableReason.NoLeader, false, "no leader is elected", TimeSpan.FromSeconds(2));
        using var response = await _http.GetAsync("/v1/users/1");
        var body = await AssertProblemAsync(response, 503, "unavailable");
        Assert.Equal("no-leader", body.GetProperty("reason").GetString());
        Assert.False(body.GetProperty("mayHaveApplied").GetBoolean());
        Assert.Equal("2", response.Headers.GetValues("Retry-After").Single());
    }

    [Fact]
    public async Task Overloaded_OnWrite_Is503Unavailable()
    {
        _kv.Failure = new ServiceUnavailableException(UnavailableReason.Overloaded, false, "too many writes are waiting");
        using var response = await _http.PutAsync("/v1/users/1", Json("{}"));
        var body = await AssertProblemAsync(response, 503, "unavailable");
        Assert.Equal("overloaded", body.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task WriteThatMayHaveApplied_Is503OutcomeUnknown()
    {
        _kv.Failure = new ServiceUnavailableException(UnavailableReason.NoLeader, true, "leadership changed while the write was in flight");
        using var response = await _http.PutAsync("/v1/users/1", Json("{}"));
        var body = await AssertProblemAsync(response, 503, "outcome-unknown");
        Assert.True(body.GetProperty("mayHaveApplied").GetBoolean());
    }

    [Fact]
    public async Task WriteNotConfirmedInTime_Is503OutcomeUnknown()
    {
        _kv.NeverComplete = true;
        using var response = await _http.PutAsync("/v1/users/1", Json("{}"));
        var body = await AssertProblemAsync(response, 503, "outcome-unknown");
        Assert.Equal("timeout", body.GetProperty("reason").GetString());
        Assert.True(body.GetProperty("mayHaveApplied").GetBoolean());
    }

    [Fact]
    public async Task NotReady_MakesReadyzAnswer503()
    {
        _kv.Ready = false;
        using var response = await _http.GetAsync("/readyz");
        Assert.Equal(503, (int)response.StatusCode);
        using var health = await _http.GetAsync("/healthz");
        Assert.Equal(200, (int)health.StatusCode);
    }

    private sealed class FakeKvService : IKvService
    {
        public ServiceUnavailableException? Failure { get; set; }
        public bool NeverComplete { get; set; }
        public bool Ready { get; set; } = true;

        public NodeStatus Status => new("n1", "follower", 3, null, 10, 10, Ready);

        public async ValueTask<CommandResult> ProposeAsync(CommandEnvelope command, CancellationToken cancellationToken)
        {
            if (NeverComplete) await Task.Delay(Timeout.Infinite, cancellationToken);
            throw (Exception?)Failure ?? new InvalidOperationException("no failure configured");
        }

        public ValueTask<ReadResult> ReadAsync(ReadConsistency consistency, long minRevision, CancellationToken cancellationToken) =>
            throw (Exception?)Failure ?? new InvalidOperationException("no failure configured");
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Cairn.Api.Tests.Watch;

namespace Cairn.Api.Tests;

/// <summary>The web data manager's files as HTTP resources: types, caching, security policy, completeness.</summary>
[Collection(ApiCollection.Name)]
public sealed partial class WebUiTests(ApiServer server)
{
    [Fact]
    public async Task Page_IsServedAtTheRoot_WithTypeETagNoCacheAndASecurityPolicy()
    {
        using var response = await server.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.True(response.Headers.CacheControl!.NoCache);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        foreach (var directive in new[] { "default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'" })
            Assert.Contains(directive, policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<script type=\"module\" src=\"/ui/app.js\"></script>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/ui/app.js", "text/javascript; charset=utf-8")]
    [InlineData("/ui/style.css", "text/css; charset=utf-8")]
    [InlineData("/ui/favicon.svg", "image/svg+xml")]
    public async Task Asset_HasItsContentType_AndRevalidatesWith304(string path, string type)
    {
        using var first = await server.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(type, first.Content.Headers.ContentType!.ToString());
        Assert.NotNull(first.Headers.GetValues("Content-Security-Policy").Single());

        using var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var notModified = await server.Http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        using var stale = new HttpRequestMessage(HttpMethod.Get, path);
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"0000\""));
        using var changed = await server.Http.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
    }

    [Fact]
    public async Task EveryModuleThePageImports_IsServed_AndThePageHasNothingInline()
    {
        var html = await server.Http.GetStringAsync("/");
        Assert.DoesNotMatch(InlineScriptOrStyle(), html);
        var pending = new Queue<string>(["app.js"]);
        var seen = new HashSet<string>();
        while (pending.TryDequeue(out var module))
        {
            if (!seen.Add(module)) continue;
            using var response = await server.Http.GetAsync("/ui/" + module);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"/ui/{module} answered {(int)response.StatusCode}");
            var code = await response.Content.ReadAsStringAsync();
            Assert.DoesNotMatch(MarkupFromStrings(), code); // data is put on the page as text nodes only
            foreach (Match m in ImportFrom().Matches(code)) pending.Enqueue(m.Groups[1].Value);
        }
        Assert.True(seen.Count >= 10, $"only {seen.Count} modules were found from app.js: {string.Join(", ", seen)}");
    }

    [Fact]
    public async Task UnknownAsset_IsANotFoundProblem()
    {
        using var response = await server.Http.GetAsync("/ui/missing.js");
        await ApiServer.AssertProblemAsync(response, 404, "not-found");
    }

    [Fact]
    public async Task Cluster_ReportsAdminRoutesAllowed_ByDefault()
    {
        var body = await ApiServer.BodyAsync(await server.Http.GetAsync("/v1/_cluster"));
        Assert.True(body.GetProperty("adminRoutes").GetBoolean());
    }

    [Fact]
    public async Task AdminRoutes_WhenDisabled_Answer403_AndTheClusterViewSaysSo()
    {
        await using var node = await TestNode.StartAsync("Cairn:Api:AdminRoutes=false");
        var revision = (await ApiServer.BodyAsync(await node.Http.GetAsync("/v1/_cluster"))).GetProperty("appliedIndex").GetInt64();
        using var add = await node.Http.PostAsync("/v1/_cluster/members", ApiServer.Json("{\"name\":\"n2\",\"peerAddress\":\"127.0.0.1:1\"}"));
        await ApiServer.AssertProblemAsync(add, 403, "admin-disabled");
        using var remove = await node.Http.DeleteAsync("/v1/_cluster/members/n2");
        await ApiServer.AssertProblemAsync(remove, 403, "admin-disabled");
        using var transfer = await node.Http.PostAsync("/v1/_cluster/leader/transfer", ApiServer.Json("{}"));
        var problem = await ApiServer.AssertProblemAsync(transfer, 403, "admin-disabled");
        Assert.Contains("Cairn:Api:AdminRoutes=false", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var view = await ApiServer.BodyAsync(await node.Http.GetAsync("/v1/_cluster"));
        Assert.False(view.GetProperty("adminRoutes").GetBoolean());
        Assert.Equal(revision, view.GetProperty("appliedIndex").GetInt64());
    }

    [Fact]
    public async Task ClusterNodes_OnASingleNode_ReportsItselfReadyAsLeader()
    {
        var body = await ApiServer.BodyAsync(await server.Http.GetAsync("/v1/_cluster/nodes"));
        var node = Assert.Single(body.GetProperty("nodes").EnumerateArray());
        Assert.Equal("ready", node.GetProperty("health").GetString());
        Assert.Equal("leader", node.GetProperty("role").GetString());
        Assert.Equal(body.GetProperty("node").GetString(), node.GetProperty("name").GetString());
    }

    [GeneratedRegex("<script(?![^>]*\\bsrc=)[^>]*>|<style|\\sstyle=|\\son[a-z]+=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScriptOrStyle();

    [GeneratedRegex("\\.(innerHTML|outerHTML)\\s*=|insertAdjacentHTML|document\\.write")]
    private static partial Regex MarkupFromStrings();

    [GeneratedRegex("from '\\./([a-z-]+\\.js)'")]
    private static partial Regex ImportFrom();
}

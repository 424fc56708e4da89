using Cairn.SystemTests.Harness;
using Cairn.UiTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cairn.UiTests;

/// <summary>The cluster view on real <c>cairn serve</c> processes (the SystemTests harness): roles, admin, failover.</summary>
[Collection(UiCollection.Name)]
public sealed class ClusterTests(BrowserFixture browser, ITestOutputHelper output)
{
    private static readonly string[] InMemory = ["--in-memory"];

    // An election takes 0.5–1 s with the default timing, and the view refreshes every second: this bound is generous.
    private static readonly LocatorAssertionsToHaveTextOptions AfterFailover = new() { Timeout = 20_000 };

    [UiFact]
    public async Task KillingTheLeader_ShowsANewLeader_AfterAnAdminTransferWithConfirmation()
    {
        await using var cluster = await TestCluster.StartAsync("ui-cluster", new ClusterSpec { ExtraArgs = InMemory });
        await Scenario.RunAsync(cluster, async () =>
        {
            var leader = await cluster.WaitForLeaderAsync();
            var followers = cluster.Names.Where(n => n != leader).ToList();
            var (pageNode, target) = (followers[0], followers[1]);
            output.WriteLine($"leader {leader}; the page talks to {pageNode}; leadership goes to {target}, which is then killed");

            await using var ui = await UiSession.OpenAsync(browser.Browser, cluster[pageNode].HttpUri, "/#/cluster");
            await Expect(ui["#cluster-nodes tbody tr"]).ToHaveCountAsync(3);
            await Expect(Cell(ui, leader, "role")).ToHaveTextAsync("leader");
            foreach (var n in cluster.Names) await Expect(Cell(ui, n, "health")).ToHaveTextAsync("ready");
            await Expect(ui["#cluster-summary"]).ToContainTextAsync($"this page talks to node {pageNode}; leader {leader}");
            await ui.ScreenshotAsync("cluster");

            // Admin: transfer leadership, after a confirmation.
            await ui["#transfer-to"].SelectOptionAsync(target);
            await ui["#transfer-button"].ClickAsync();
            await Expect(ui["#confirm-text"]).ToContainTextAsync($"Leadership moves to {target}");
            await ui["#confirm-ok"].ClickAsync();
            await Expect(Cell(ui, target, "role")).ToHaveTextAsync("leader", AfterFailover);
            Assert.Equal(target, await cluster.WaitForLeaderAsync());

            // SIGKILL the leader: the view (served by a survivor) shows it unreachable and a new leader among the others.
            await cluster[target].KillAsync();
            var survivors = cluster.Names.Where(n => n != target).ToList();
            var newLeader = await cluster.WaitForLeaderAsync(among: survivors, not: target);
            output.WriteLine($"{target} killed (pid {cluster[target].Pid}); {newLeader} leads");
            await Expect(Cell(ui, target, "health")).ToHaveTextAsync("unreachable", AfterFailover);
            await Expect(Cell(ui, newLeader, "role")).ToHaveTextAsync("leader", AfterFailover);
            await Expect(Cell(ui, pageNode, "leader")).ToHaveTextAsync(newLeader, AfterFailover);
            await Expect(ui["#cluster-nodes td[data-field='role']"].Filter(new() { HasText = "leader" })).ToHaveCountAsync(1);
            await ui.ScreenshotAsync("cluster-after-leader-killed");

            // Admin: remove the dead node (confirmed), then add a node by name and peer address (a learner until it catches up).
            await ui.Page.GetByRole(AriaRole.Button, new() { Name = $"Remove node {target}" }).ClickAsync();
            await Expect(ui["#confirm-title"]).ToHaveTextAsync($"Remove node {target}?");
            await ui["#confirm-ok"].ClickAsync();
            // A founding peer stays listed (it is in every node's --peers) but is no longer a member, and cannot be removed twice.
            await Expect(Cell(ui, target, "role")).ToHaveTextAsync("not-a-member", AfterFailover);
            await Expect(ui.Page.GetByRole(AriaRole.Button, new() { Name = $"Remove node {target}" })).ToBeHiddenAsync();
            Assert.Equal("not-a-member", (await cluster.Client(pageNode).ClusterAsync()).Member(target)?.Role);

            await ui["#add-name"].FillAsync("n9");
            await ui["#add-peer"].FillAsync($"127.0.0.1:{FreePorts.Next()}");
            await ui["#add-button"].ClickAsync();
            await Expect(ui["#confirm-text"]).ToContainTextAsync("joins as a learner");
            await ui["#confirm-ok"].ClickAsync();
            await Expect(Cell(ui, "n9", "role")).ToHaveTextAsync("learner", AfterFailover);
            Assert.Equal("learner", (await cluster.Client(newLeader).ClusterAsync()).Member("n9")?.Role);
            await ui.FinishAsync();
        });
    }

    [UiFact]
    public async Task AdminActions_AreHidden_WhenTheNodeDisallowsThem()
    {
        await using var cluster = await TestCluster.StartAsync("ui-no-admin",
            new ClusterSpec { Size = 1, ExtraArgs = [.. InMemory, "--Cairn:Api:AdminRoutes=false"] });
        await Scenario.RunAsync(cluster, async () =>
        {
            await using var ui = await UiSession.OpenAsync(browser.Browser, cluster["n1"].HttpUri, "/#/cluster");
            await Expect(ui["#admin-disabled"]).ToContainTextAsync("Cairn:Api:AdminRoutes=false");
            await Expect(Cell(ui, "n1", "role")).ToHaveTextAsync("leader");
            await Expect(ui["#transfer-button"]).ToHaveCountAsync(0);
            await Expect(ui["#add-button"]).ToHaveCountAsync(0);
            await Expect(ui["#cluster-nodes tbody button"]).ToBeHiddenAsync();
            await ui.FinishAsync();
        });
    }

    private static ILocator Cell(UiSession ui, string node, string field) =>
        ui[$"#cluster-nodes tr[data-node='{node}'] td[data-field='{field}']"];
}

using Cairn.UiTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Cairn.UiTests;

/// <summary>Changes made through the API (another client) reach an open page through the change feed, without a reload.</summary>
[Collection(UiCollection.Name)]
public sealed class LiveTests(BrowserFixture browser, UiServer server)
{
    [UiFact]
    public async Task ApiChanges_AppearInTheOpenCollectionView_AndInTheLiveFeed_WithoutReload()
    {
        const string c = "ui-live";
        await server.PutAsync($"{c}/a", "{\"v\":1}");
        await using var ui = await UiSession.OpenAsync(browser.Browser, server.Address, $"/#/collections/{c}");
        await Expect(ui["#documents tr[data-id='a']"]).ToBeVisibleAsync();
        // A marker in the page's memory: a reload would lose it.
        await ui.Page.EvaluateAsync("() => { window.__notReloaded = true; }");

        var revB = await server.PutAsync($"{c}/b", "{\"v\":\"from the API\"}");
        await Expect(ui["#documents tr[data-id='b']"]).ToContainTextAsync("from the API");
        await Expect(ui[$"#collection-list a[data-collection='{c}'] .count"]).ToContainTextAsync("2");
        var revA = await server.PutAsync($"{c}/a", "{\"v\":2}");
        await Expect(ui["#documents tr[data-id='a'] td"].Nth(1)).ToHaveTextAsync(revA.ToString());
        using (var delete = await server.Http.DeleteAsync($"v1/{c}/a")) Assert.True(delete.IsSuccessStatusCode);
        await Expect(ui["#documents tr[data-id='a']"]).ToHaveCountAsync(0);

        // An open document follows too (the editor holds no edits, so it just shows the new version).
        await ui[$"#documents tr[data-id='b'] a"].ClickAsync();
        await Expect(ui["#doc-json"]).ToHaveValueAsync("{\n  \"v\": \"from the API\"\n}");
        await server.PutAsync($"{c}/b", "{\"v\":\"changed again\"}", ifMatch: revB);
        await Expect(ui["#doc-json"]).ToHaveValueAsync("{\n  \"v\": \"changed again\"\n}");

        // The live feed collected every change since the page opened, newest first.
        await ui["nav a[data-view='feed']"].ClickAsync();
        await Expect(ui["#feed-list li[data-target='ui-live/b']"]).ToHaveCountAsync(2);
        await Expect(ui["#feed-list li[data-target='ui-live/a'][data-type='delete']"]).ToHaveCountAsync(1);
        await server.PutAsync($"{c}/c", "{\"v\":3}");
        await Expect(ui["#feed-list li"].First).ToHaveAttributeAsync("data-target", "ui-live/c");

        // Filter by target and by type.
        await ui["#feed-filter"].FillAsync("live/a");
        await Expect(ui["#feed-list li[data-target]"]).ToHaveCountAsync(2);
        await ui["#feed-type"].SelectOptionAsync("delete");
        await Expect(ui["#feed-list li[data-target]"]).ToHaveCountAsync(1);
        await ui["#feed-filter"].FillAsync("");
        await ui["#feed-type"].SelectOptionAsync("all");

        // Pause holds new changes back (and says so); resume shows them.
        await ui["#feed-pause"].ClickAsync();
        await Expect(ui["#feed-pause"]).ToHaveAttributeAsync("aria-pressed", "true");
        await server.PutAsync($"{c}/paused", "{\"v\":4}");
        await Expect(ui["#feed-status"]).ToContainTextAsync("1 new change is waiting");
        await Expect(ui["#feed-list li[data-target='ui-live/paused']"]).ToHaveCountAsync(0);
        await ui.ScreenshotAsync("live-feed-paused");
        await ui["#feed-pause"].ClickAsync();
        await Expect(ui["#feed-list li[data-target='ui-live/paused']"]).ToHaveCountAsync(1);
        await server.Http.PutAsync("v1/_kv/ui-live-key", new StringContent("hello"));
        await Expect(ui["#feed-list li"].First).ToHaveAttributeAsync("data-target", "key ui-live-key");
        await ui.ScreenshotAsync("live-feed");

        Assert.True(await ui.Page.EvaluateAsync<bool>("() => window.__notReloaded === true"), "the page was reloaded");
        await ui.FinishAsync();
    }
}

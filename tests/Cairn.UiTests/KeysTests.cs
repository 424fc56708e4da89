using System.Text.RegularExpressions;
using Cairn.UiTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Cairn.UiTests;

/// <summary>The keys view: set with a TTL (the remaining time shows and counts down), refuse bad input in sentences, delete.</summary>
[Collection(UiCollection.Name)]
public sealed partial class KeysTests(BrowserFixture browser, UiServer server)
{
    [UiFact]
    public async Task Key_SetWithTtl_ShowsRemainingTime_AndDeleteAsksFirst()
    {
        await using var ui = await UiSession.OpenAsync(browser.Browser, server.Address, "/#/keys");
        await ui["#key-name"].FillAsync("ui/session/abc");
        await ui["#key-value"].FillAsync("token-123");
        await ui["#key-ttl"].FillAsync("5m");
        await ui["#set-key-button"].ClickAsync();

        var row = ui["#keys tr[data-key='ui/session/abc']"];
        await Expect(row).ToContainTextAsync("token-123");
        await Expect(row.Locator("td.ttl")).ToHaveTextAsync(MinutesLeft());
        using (var get = await server.Http.GetAsync("v1/_kv/ui/session/abc"))
        {
            Assert.Equal("token-123", await get.Content.ReadAsStringAsync());
            var ttlMs = long.Parse(get.Headers.GetValues("X-Cairn-Ttl-Ms").Single());
            Assert.InRange(ttlMs, 1, 300_000);
        }
        var before = await row.Locator("td.ttl").TextContentAsync();
        await Expect(row.Locator("td.ttl")).Not.ToHaveTextAsync(before!); // it counts down on its own

        // A key without a TTL, set by another client, shows up (change feed) and never expires.
        await server.Http.PutAsync("v1/_kv/ui/plain", new StringContent("forever"));
        await Expect(ui["#keys tr[data-key='ui/plain'] td.ttl"]).ToHaveTextAsync("never");
        await ui.ScreenshotAsync("keys");

        // A TTL the server refuses: its problem shown as sentences, nothing written.
        await ui["#key-name"].FillAsync("ui/bad");
        await ui["#key-ttl"].FillAsync("soon");
        ui.ExpectConsoleError("status of 400");
        await ui["#set-key-button"].ClickAsync();
        await Expect(ui["#key-error"]).ToHaveTextAsync(new Regex("^Invalid query parameter\\. .+\\.$"));
        Assert.DoesNotContain("{", await ui["#key-error"].TextContentAsync());
        using (var bad = await server.Http.GetAsync("v1/_kv/ui/bad")) Assert.Equal(404, (int)bad.StatusCode);

        // Delete: Cancel keeps the key; confirming removes it everywhere.
        await row.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Delete ui/session/abc" }).ClickAsync();
        await ui["#confirm-cancel"].ClickAsync();
        await Expect(row).ToHaveCountAsync(1);
        await row.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Delete ui/session/abc" }).ClickAsync();
        await Expect(ui["#confirm-title"]).ToHaveTextAsync("Delete key ui/session/abc?");
        await ui["#confirm-ok"].ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
        using (var gone = await server.Http.GetAsync("v1/_kv/ui/session/abc")) Assert.Equal(404, (int)gone.StatusCode);
        await ui.FinishAsync();
    }

    [GeneratedRegex("^4 min [0-9]+ s$")]
    private static partial Regex MinutesLeft();
}

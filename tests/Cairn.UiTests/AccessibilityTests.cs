using Cairn.UiTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Cairn.UiTests;

/// <summary>Keyboard use, labels for screen readers, a narrow window, and the page's own security headers.</summary>
[Collection(UiCollection.Name)]
public sealed class AccessibilityTests(BrowserFixture browser, UiServer server)
{
    // Every form control has an accessible name (a label, aria-label or aria-labelledby).
    private const string UnlabelledControls = """
        () => [...document.querySelectorAll('input, select, textarea, button')]
          .filter(e => e.offsetParent !== null || e.closest('dialog[open]'))
          .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby')
                       && !(e.tagName === 'BUTTON' && e.textContent.trim()))
          .map(e => e.outerHTML.slice(0, 120))
        """;

    [UiFact]
    public async Task EveryView_IsReachableByKeyboard_AndEveryControlIsLabelled()
    {
        await server.PutAsync("ui-a11y/one", "{\"a\":1}");
        await using var ui = await UiSession.OpenAsync(browser.Browser, server.Address, "/");
        foreach (var view in new[] { "collections", "keys", "feed", "cluster" })
        {
            var tab = ui[$"nav a[data-view='{view}']"];
            await tab.FocusAsync();
            await ui.Page.Keyboard.PressAsync("Enter");
            await Expect(tab).ToHaveAttributeAsync("aria-current", "page");
            Assert.Empty(await ui.Page.EvaluateAsync<string[]>(UnlabelledControls));
        }

        // Open a document with the keyboard only: Tab to its link, Enter; the editor's heading takes focus.
        await ui.Page.GotoAsync("/#/collections/ui-a11y");
        var link = ui["#documents a"].First;
        await link.FocusAsync();
        await ui.Page.Keyboard.PressAsync("Enter");
        await Expect(ui["#editor-heading"]).ToBeFocusedAsync();
        Assert.Empty(await ui.Page.EvaluateAsync<string[]>(UnlabelledControls));

        // The delete confirmation is a modal dialog: focus goes in (on Cancel), Escape closes it, focus comes back.
        await ui["#delete-document"].FocusAsync();
        await ui.Page.Keyboard.PressAsync("Enter");
        await Expect(ui["#confirm-cancel"]).ToBeFocusedAsync();
        await ui.Page.Keyboard.PressAsync("Escape");
        await Expect(ui["#delete-document"]).ToBeFocusedAsync();
        Assert.Equal(200, (await server.GetAsync("ui-a11y/one")).Status);
        await ui.FinishAsync();
    }

    [UiFact]
    public async Task NarrowWindow_HasNoSidewaysScrolling()
    {
        await server.PutAsync("ui-narrow/a-rather-long-document-identifier-0123456789", "{\"text\":\"a long value that would widen a table\"}");
        await using var ui = await UiSession.OpenAsync(browser.Browser, server.Address, "/#/collections/ui-narrow", width: 380, height: 800);
        await Expect(ui["#documents tbody tr"]).ToHaveCountAsync(1);
        foreach (var route in new[] { "/#/collections/ui-narrow", "/#/keys", "/#/feed", "/#/cluster" })
        {
            await ui.Page.GotoAsync(route);
            await Expect(ui["main h2"].First).ToBeVisibleAsync();
            var overflow = await ui.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
            Assert.True(overflow <= 0, $"{route} is {overflow} px wider than a 380 px window");
        }
        await ui.Page.GotoAsync("/#/collections/ui-narrow");
        await Expect(ui["#documents tbody tr"]).ToHaveCountAsync(1);
        await ui.ScreenshotAsync("narrow-collections");
        await ui.FinishAsync();
    }

    [UiFact]
    public async Task ThePage_ArrivesWithItsSecurityPolicy_AndRunsUnderIt()
    {
        await using var ui = await UiSession.OpenAsync(browser.Browser, server.Address, "/#/cluster");
        var response = await ui.Page.ReloadAsync();
        Assert.NotNull(response);
        await Expect(ui["#watch-state"]).ToHaveAttributeAsync("data-state", "live");
        var headers = await response!.AllHeadersAsync();
        Assert.Contains("script-src 'self'", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.Contains(response.Status, new[] { 200, 304 }); // 304: the page revalidated its ETag (Cache-Control: no-cache)
        // The single node says it runs alone, and offers no admin action.
        await Expect(ui["#admin-disabled"]).ToContainTextAsync("runs alone");
        await Expect(ui["#cluster-nodes tbody tr"]).ToHaveCountAsync(1);
        await Expect(ui["#cluster-nodes tbody tr td[data-field='role']"]).ToHaveTextAsync("leader");
        await Expect(ui["#transfer-button"]).ToHaveCountAsync(0);
        await ui.FinishAsync();
    }
}

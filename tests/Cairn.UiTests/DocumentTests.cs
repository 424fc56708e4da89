using System.Text.Json;
using Cairn.UiTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cairn.UiTests;

/// <summary>The collections view and the document editor against a real node: create, validate, edit, conflict, delete.</summary>
[Collection(UiCollection.Name)]
public sealed class DocumentTests(BrowserFixture browser, UiServer server)
{
    [UiFact]
    public async Task Document_CreateEditConflictResolveDelete_ThroughTheEditor()
    {
        const string c = "ui-docs";
        await using var ui = await UiSession.OpenAsync(browser.Browser, server.Address, $"/#/collections/{c}");
        await Expect(ui["#documents-heading"]).ToHaveTextAsync($"Documents in {c}");

        // Create with a generated id (POST): the editor switches to the new document.
        await ui["#new-document"].ClickAsync();
        await ui["#doc-json"].FillAsync("{\"name\": \"Ada\", \"n\": 1, \"big\": 12345678901234567890}");
        await ui["#save-document"].ClickAsync();
        await Expect(ui["#editor-heading"]).ToHaveTextAsync(new System.Text.RegularExpressions.Regex($"^Document {c}/[0-9a-z]{{26}}$"));
        var id = (await ui["#editor-heading"].TextContentAsync())!.Split('/')[1];
        var (status, body, revision) = await server.GetAsync($"{c}/{id}");
        Assert.Equal(200, status);
        Assert.Equal("{\"name\":\"Ada\",\"n\":1,\"big\":12345678901234567890}", body);
        await Expect(ui[$"#documents tr[data-id='{id}']"]).ToContainTextAsync("\"big\":12345678901234567890"); // not rounded
        await Expect(ui["#editor-meta"]).ToHaveTextAsync($"Revision {revision} · version 1");

        // Invalid JSON is refused in the page with a located message, and nothing is sent.
        await ui["#doc-json"].FillAsync("{\"name\": \"Ada\",\n  \"n\": }");
        await ui["#save-document"].ClickAsync();
        await Expect(ui["#doc-error"]).ToContainTextAsync("The JSON is not valid");
        await Expect(ui["#doc-error"]).ToContainTextAsync("line 2");
        await Expect(ui["#doc-json"]).ToHaveAttributeAsync("aria-invalid", "true");
        Assert.Equal(revision, (await server.GetAsync($"{c}/{id}")).Revision);

        // Edit: the PUT carries If-Match; the big integer survives byte for byte (the editor never goes through numbers).
        await ui["#doc-json"].FillAsync("{\"name\": \"Ada\", \"n\": 2, \"big\": 12345678901234567890}");
        await ui["#save-document"].ClickAsync();
        await Expect(ui["#editor-meta"]).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("version 2$"));
        (_, body, revision) = await server.GetAsync($"{c}/{id}");
        Assert.Equal("{\"name\":\"Ada\",\"n\":2,\"big\":12345678901234567890}", body);
        await ui.ScreenshotAsync("collections-editor");

        // Conflict: the page edits while a second client writes; the save answers 412 and the panel shows the server's version.
        await ui["#doc-json"].FillAsync("{\"name\": \"Mine\", \"n\": 3}");
        var other = await server.PutAsync($"{c}/{id}", "{\"name\":\"Other\",\"n\":3}", ifMatch: revision);
        await Expect(ui["#doc-notice"]).ToContainTextAsync($"changed elsewhere (revision {other})");
        ui.ExpectConsoleError("status of 412");
        await ui["#save-document"].ClickAsync();
        await Expect(ui["#conflict"]).ToContainTextAsync($"the server now has revision {other}");
        await Expect(ui["#conflict-current"]).ToContainTextAsync("\"Other\"");
        await Expect(ui["#conflict-title"]).ToBeFocusedAsync();
        await ui.ScreenshotAsync("collections-conflict");

        // Resolve by overwriting: the edit is applied on top of the current revision.
        await ui["#conflict-overwrite"].ClickAsync();
        await Expect(ui["#conflict"]).ToHaveCountAsync(0);
        (_, body, revision) = await server.GetAsync($"{c}/{id}");
        Assert.Equal("{\"name\":\"Mine\",\"n\":3}", body);

        // Another conflict, resolved by reloading: the page shows the other client's version and drops the edit.
        await ui["#doc-json"].FillAsync("{\"name\": \"Discarded\"}");
        var third = await server.PutAsync($"{c}/{id}", "{\"name\":\"Third\"}", ifMatch: revision);
        await Expect(ui["#doc-notice"]).ToContainTextAsync($"revision {third}");
        ui.ExpectConsoleError("status of 412");
        await ui["#save-document"].ClickAsync();
        await ui["#conflict-reload"].ClickAsync();
        await Expect(ui["#doc-json"]).ToHaveValueAsync("{\n  \"name\": \"Third\"\n}");
        await Expect(ui["#editor-meta"]).ToHaveTextAsync(new System.Text.RegularExpressions.Regex($"^Revision {third} "));
        Assert.Equal("{\"name\":\"Third\"}", (await server.GetAsync($"{c}/{id}")).Body);

        // Delete: a confirmation first (cancel keeps it), then the document is gone and the row with it.
        await ui["#delete-document"].ClickAsync();
        await Expect(ui["#confirm"]).ToBeVisibleAsync();
        await ui.Page.Keyboard.PressAsync("Escape");
        await Expect(ui["#confirm"]).ToBeHiddenAsync();
        Assert.Equal(200, (await server.GetAsync($"{c}/{id}")).Status);
        await ui["#delete-document"].ClickAsync();
        await ui["#confirm-ok"].ClickAsync();
        await Expect(ui[$"#documents tr[data-id='{id}']"]).ToHaveCountAsync(0);
        await Expect(ui["#editor"]).ToHaveCountAsync(0);
        Assert.Equal(404, (await server.GetAsync($"{c}/{id}")).Status);
        await ui.FinishAsync();
    }

    [UiFact]
    public async Task CreateWithAnExistingId_ShowsTheServersProblemAsSentences()
    {
        const string c = "ui-dupes";
        await server.PutAsync($"{c}/taken", "{\"a\":1}");
        await using var ui = await UiSession.OpenAsync(browser.Browser, server.Address, $"/#/collections/{c}/new");
        await ui["#doc-id"].FillAsync("taken");
        await ui["#doc-json"].FillAsync("{\"a\": 2}");
        ui.ExpectConsoleError("status of 412");
        await ui["#save-document"].ClickAsync();
        await Expect(ui["#doc-error"]).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^The item already exists\\. .+\\.$"));
        var text = await ui["#doc-error"].TextContentAsync();
        Assert.DoesNotContain("{", text);
        Assert.DoesNotContain("urn:", text);
        Assert.Equal("{\"a\":1}", (await server.GetAsync($"{c}/taken")).Body);
        await ui.FinishAsync();
    }
}

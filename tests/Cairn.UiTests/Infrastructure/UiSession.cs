using Cairn.SystemTests.Harness;
using Microsoft.Playwright;

namespace Cairn.UiTests.Infrastructure;

/// <summary>
/// One browser context and page on a node's web UI. Every console error and uncaught page error is recorded;
/// <see cref="FinishAsync"/> fails the test on any that the test did not declare expected (<see cref="ExpectConsoleError"/>,
/// e.g. Chromium's "Failed to load resource … 412" line for a conflict the test provoked on purpose).
/// </summary>
/// <remarks>Playwright raises the error events on its own threads: the lists are guarded.</remarks>
public sealed class UiSession : IAsyncDisposable
{
    public static readonly float ExpectTimeoutMs = 10_000;

    private readonly Lock _gate = new();
    private readonly List<string> _errors = [];
    private readonly List<string> _expected = [];
    private readonly IBrowserContext _context;

    private UiSession(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
    }

    public IPage Page { get; }

    /// <summary>Opens <paramref name="route"/> (e.g. <c>/#/keys</c>) and waits until the page's change feed is live.</summary>
    public static async Task<UiSession> OpenAsync(IBrowser browser, Uri node, string route, int width = 1280, int height = 860)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = node.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(ExpectTimeoutMs);
        var page = await context.NewPageAsync();
        var session = new UiSession(context, page);
        page.Console += (_, message) =>
        {
            if (message.Type == "error") session.Record($"console error: {message.Text} (at {message.Location})");
        };
        page.PageError += (_, error) => session.Record($"page error: {error}");
        await page.GotoAsync(route);
        await Assertions.Expect(page.Locator("#watch-state")).ToHaveAttributeAsync("data-state", "live");
        return session;
    }

    public ILocator this[string selector] => Page.Locator(selector);

    /// <summary>A console error containing <paramref name="fragment"/> is expected (once per call) and does not fail the test.</summary>
    public void ExpectConsoleError(string fragment)
    {
        lock (_gate) _expected.Add(fragment);
    }

    public async Task ScreenshotAsync(string name) =>
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.Screenshot(name), FullPage = true });

    /// <summary>Fails on any unexpected browser error seen so far (call at the end of each test).</summary>
    public async Task FinishAsync()
    {
        // Let in-flight console messages of the last action arrive: one round trip to the page orders them before this.
        await Page.EvaluateAsync("() => 0");
        lock (_gate) Assert.True(_errors.Count == 0, "the browser reported errors:\n" + string.Join('\n', _errors));
    }

    private void Record(string error)
    {
        lock (_gate)
        {
            var expected = _expected.FindIndex(error.Contains);
            if (expected >= 0) _expected.RemoveAt(expected);
            else _errors.Add(error);
        }
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}

/// <summary>Where the tests put their artifacts: $CAIRN_TEST_RESULTS (relative paths: from the repository root) or TestResults, under screenshots/.</summary>
public static class Artifacts
{
    public static string Directory
    {
        get
        {
            var root = Environment.GetEnvironmentVariable("CAIRN_TEST_RESULTS") is { Length: > 0 } configured ? configured : "TestResults";
            var path = Path.Combine(Path.IsPathRooted(root) ? root : Path.Combine(CairnBinary.RepositoryRoot, root), "screenshots");
            System.IO.Directory.CreateDirectory(path);
            return path;
        }
    }

    public static string Screenshot(string name) => Path.Combine(Directory, name + ".png");
}

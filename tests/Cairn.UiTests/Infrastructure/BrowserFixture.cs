using Microsoft.Playwright;

namespace Cairn.UiTests.Infrastructure;

/// <summary>One Playwright driver and one headless chromium for the whole (serial) test collection; each test opens its own context.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException(Chromium.SkipReason);

    public async Task InitializeAsync()
    {
        if (!Chromium.IsAvailable) return;
        Assertions.SetDefaultExpectTimeout(UiSession.ExpectTimeoutMs);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(Chromium.LaunchOptions);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
    }
}

/// <summary>
/// Every UI test class: one at a time (2 cores; the cluster tests start real processes and measure elections), sharing
/// the browser and the in-process node.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class UiCollection : ICollectionFixture<BrowserFixture>, ICollectionFixture<UiServer>
{
    public const string Name = "ui";
}

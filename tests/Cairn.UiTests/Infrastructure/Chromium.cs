using Microsoft.Playwright;

namespace Cairn.UiTests.Infrastructure;

/// <summary>
/// Debian's chromium, driven by Playwright (Playwright's own browser download cannot work here). CAIRN_CHROMIUM
/// overrides the path. When it is missing the UI tests are skipped with <see cref="SkipReason"/>, never silently passed.
/// </summary>
public static class Chromium
{
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("CAIRN_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";

    public static bool IsAvailable => File.Exists(ExecutablePath);

    public static string SkipReason =>
        $"chromium is not installed at {ExecutablePath}: the browser tests cannot run (./test.sh installs it with apt-get when run as root; " +
        "or run `apt-get install -y chromium`, or point CAIRN_CHROMIUM at a Chromium binary)";

    public static BrowserTypeLaunchOptions LaunchOptions => new()
    {
        ExecutablePath = ExecutablePath,
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage"],
    };
}

/// <summary>A browser test: skipped, with the reason shown, when chromium is not installed.</summary>
public sealed class UiFactAttribute : FactAttribute
{
    public UiFactAttribute()
    {
        if (!Chromium.IsAvailable) Skip = Chromium.SkipReason;
    }
}

using System.Reflection;

namespace Cairn.SystemTests.Harness;

/// <summary>
/// Where the built <c>cairn</c> apphost is: src/Cairn/bin/&lt;the test assembly's configuration&gt;/net10.0/cairn under
/// the directory holding Cairn.sln (found by walking up from the test's output directory). CAIRN_BINARY overrides it.
/// </summary>
public static class CairnBinary
{
    private static readonly Lazy<string> Found = new(Locate);

    public static string Path => Found.Value;

    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "Cairn.sln"))) return dir.FullName;
            }
            throw new InvalidOperationException($"Cairn.sln not found above {AppContext.BaseDirectory}");
        }
    }

    private static string Locate()
    {
        if (Environment.GetEnvironmentVariable("CAIRN_BINARY") is { Length: > 0 } configured) return configured;
        var configuration = typeof(CairnBinary).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var path = System.IO.Path.Combine(RepositoryRoot, "src", "Cairn", "bin", configuration, "net10.0", "cairn");
        if (!File.Exists(path))
            throw new InvalidOperationException($"the cairn apphost is not at {path}; build it first: dotnet build -c {configuration} src/Cairn");
        return path;
    }
}

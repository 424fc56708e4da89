using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace Cairn.Web;

/// <summary>One embedded file, ready to send: bytes, content type and a strong ETag derived from the bytes.</summary>
public sealed record UiAsset(string Path, byte[] Content, string ContentType, string ETag);

/// <summary>
/// The web data manager's files, read once from this assembly's embedded resources (<c>wwwroot/...</c>) into an
/// immutable map keyed by URL path (<c>/ui/app.js</c>; <c>/</c> is <c>index.html</c>).
/// </summary>
/// <remarks>Immutable after construction; safe to share across request threads.</remarks>
public sealed class UiAssets
{
    private const string ResourcePrefix = "wwwroot/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".json"] = "application/json",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, UiAsset> _byPath;

    public UiAssets() : this(typeof(UiAssets).Assembly)
    {
    }

    internal UiAssets(Assembly assembly)
    {
        var assets = new Dictionary<string, UiAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var relative = name[ResourcePrefix.Length..].Replace('\\', '/');
            var extension = System.IO.Path.GetExtension(relative);
            if (!ContentTypes.TryGetValue(extension, out var type))
                throw new InvalidOperationException($"embedded UI file {relative} has no known content type (add {extension} to UiAssets)");
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            var tag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..20] + "\"";
            var path = relative == "index.html" ? "/" : "/" + relative;
            assets[path] = new UiAsset(path, bytes, type, tag);
        }
        if (!assets.ContainsKey("/")) throw new InvalidOperationException("the UI's index.html is not embedded in Cairn.Web");
        _byPath = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public IEnumerable<UiAsset> All => _byPath.Values;

    public bool TryGet(string path, out UiAsset asset) => _byPath.TryGetValue(path, out asset!);
}

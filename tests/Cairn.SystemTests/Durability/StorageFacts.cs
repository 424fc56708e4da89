namespace Cairn.SystemTests.Durability;

/// <summary>
/// What a node's data directory shows from the outside (layout of src/Cairn.Storage/DESIGN.md): snapshot files, WAL
/// segments, and whether the log was compacted (a <c>log/base</c> file, segments no longer starting at index 1).
/// </summary>
public static class StorageFacts
{
    public static int Snapshots(string dataDirectory) =>
        Directory.Exists(Path.Combine(dataDirectory, "snapshots")) ? Directory.GetFiles(Path.Combine(dataDirectory, "snapshots"), "snap-*.snap").Length : 0;

    public static IReadOnlyList<string> Segments(string dataDirectory) =>
        Directory.Exists(Path.Combine(dataDirectory, "log"))
            ? [.. Directory.GetFiles(Path.Combine(dataDirectory, "log"), "*.seg").Select(Path.GetFileName).Order()!]
            : [];

    public static bool LogCompacted(string dataDirectory) =>
        File.Exists(Path.Combine(dataDirectory, "log", "base")) && Segments(dataDirectory) is { Count: > 0 } s && s[0] != $"{1:D20}.seg";

    public static string Describe(string dataDirectory)
    {
        var segments = Segments(dataDirectory);
        return $"{Snapshots(dataDirectory)} snapshots, {segments.Count} segments" +
            (segments.Count > 0 ? $" from {segments[0]}" : "") + (LogCompacted(dataDirectory) ? ", compacted" : "");
    }
}

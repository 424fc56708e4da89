using System.Globalization;
using Cairn.Storage.Internal;
using Microsoft.Extensions.Logging;

namespace Cairn.Storage.Snapshots;

public sealed partial class FileSnapshotStore
{
    /// <summary>
    /// Opens the directory: deletes leftovers of interrupted writes and receives, then takes the newest snapshot
    /// whose header and data checksums hold. A damaged one is renamed to <c>*.corrupt</c> (kept for the operator,
    /// never read again) with a logged reason, and the next older one is tried.
    /// </summary>
    internal static FileSnapshotStore Open(string directory, StorageOptions options, Durability durability, ILogger logger)
    {
        System.IO.Directory.CreateDirectory(directory);
        foreach (var path in System.IO.Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(path);
            if (name == IncomingFileName || name.EndsWith(ReceivedSuffix, StringComparison.Ordinal) || name.EndsWith(FileSystem.TempSuffix, StringComparison.Ordinal))
            {
                LogDeletingLeftover(logger, path);
                File.Delete(path);
            }
        }
        var store = new FileSnapshotStore(directory, options, durability, logger);
        foreach (var path in SnapshotFilesNewestFirst(directory))
        {
            if (store.TryAdopt(path)) break;
        }
        return store;
    }

    private bool TryAdopt(string path)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        try
        {
            var header = SnapshotFormat.ReadHeader(path, handle);
            SnapshotFormat.VerifyData(path, handle, header, default);
            if (Path.GetFileName(path) != SnapshotFormat.FileName(header.Meta))
                throw new StorageCorruptException(path, 16, $"the header says {header.Meta.Index}@{header.Meta.Term}, which does not match the file name");
            _latest = header;
            _latestHandle = handle;
            _latestPath = path;
            return true;
        }
        catch (StorageCorruptException e)
        {
            handle.Dispose();
            LogCorruptSnapshot(_logger, path, e.Message);
            File.Move(path, path + CorruptSuffix, overwrite: true);
            return false;
        }
    }

    /// <summary>Deletes snapshot files beyond the newest <see cref="StorageOptions.SnapshotsKept"/>.</summary>
    private void DeleteOlderThanKept()
    {
        foreach (var path in SnapshotFilesNewestFirst(_directory).Skip(_options.SnapshotsKept))
        {
            if (path == _latestPath) continue;
            File.Delete(path);
        }
    }

    private static List<string> SnapshotFilesNewestFirst(string directory)
    {
        var files = new List<(string Path, ulong Index, ulong Term)>();
        foreach (var path in System.IO.Directory.EnumerateFiles(directory, "snap-*" + SnapshotFormat.Extension))
        {
            if (TryParseFileName(Path.GetFileName(path), out var index, out var term)) files.Add((path, index, term));
        }
        return files.OrderByDescending(f => f.Index).ThenByDescending(f => f.Term).Select(f => f.Path).ToList();
    }

    private static bool TryParseFileName(string name, out ulong index, out ulong term)
    {
        index = term = 0;
        // snap-{20 digits}-{20 digits}.snap
        return name.Length == 5 + 20 + 1 + 20 + SnapshotFormat.Extension.Length && name.StartsWith("snap-", StringComparison.Ordinal)
            && name[25] == '-' && name.EndsWith(SnapshotFormat.Extension, StringComparison.Ordinal)
            && ulong.TryParse(name.AsSpan(5, 20), NumberStyles.None, CultureInfo.InvariantCulture, out index)
            && ulong.TryParse(name.AsSpan(26, 20), NumberStyles.None, CultureInfo.InvariantCulture, out term);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "snapshot store: {Path} is damaged ({Reason}); renamed to *.corrupt, falling back to an older snapshot")]
    private static partial void LogCorruptSnapshot(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "snapshot store: deleting {Path}, left by an interrupted write or receive")]
    private static partial void LogDeletingLeftover(ILogger logger, string path);
}

using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Cairn.Storage.Internal;

/// <summary>
/// The few file-system primitives durability rests on: fsync of a file and of a directory (so that a created,
/// renamed or deleted name survives a power loss), and atomic replacement of a small file. Thread-safe (stateless).
/// </summary>
internal static partial class FileSystem
{
    /// <summary>Flushes the file's data and metadata to the device (fsync).</summary>
    public static void SyncFile(SafeFileHandle handle) => RandomAccess.FlushToDisk(handle);

    /// <summary>
    /// Makes the directory's entries durable. .NET refuses to open a directory as a file on Unix, so this opens it
    /// with libc's open(O_RDONLY) and calls fsync. Windows (NTFS journals metadata) needs nothing.
    /// </summary>
    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        var fd = Native.Open(directory, 0);
        if (fd < 0) throw new IOException($"cannot open directory {directory} to fsync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Native.Fsync(fd) != 0) throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = Native.Close(fd);
        }
    }

    /// <summary>
    /// Replaces <paramref name="path"/> with <paramref name="content"/> so that a crash leaves either the old file or
    /// the new one: write <c>path.tmp</c>, fsync it, rename it over <paramref name="path"/>, fsync the directory
    /// (the fsyncs only when <paramref name="sync"/>). A leftover <c>.tmp</c> from a crash is never read.
    /// </summary>
    public static void ReplaceAtomically(string path, ReadOnlySpan<byte> content, bool sync)
    {
        var temp = path + TempSuffix;
        using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            RandomAccess.Write(handle, content, 0);
            if (sync) SyncFile(handle);
        }
        File.Move(temp, path, overwrite: true);
        if (sync) SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>The whole file, or null when it does not exist.</summary>
    public static byte[]? ReadIfExists(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The suffix of a file being written before it is renamed into place.</summary>
    public const string TempSuffix = ".tmp";

    private static partial class Native
    {
        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
        internal static partial int Fsync(int fd);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        internal static partial int Close(int fd);
    }
}

namespace Cairn.Storage;

/// <summary>
/// A file in the data directory is damaged in a way start-up must not repair silently (or a read found a record
/// whose checksum no longer matches). <see cref="Path"/> and <see cref="Offset"/> say where; the message says what
/// and which operator option, if any, accepts the loss.
/// </summary>
public sealed class StorageCorruptException : IOException
{
    public StorageCorruptException(string path, long offset, string reason)
        : base($"{path} at offset {offset}: {reason}")
    {
        Path = path;
        Offset = offset;
    }

    /// <summary>The damaged file.</summary>
    public string Path { get; }

    /// <summary>Byte offset in <see cref="Path"/> where the damage starts.</summary>
    public long Offset { get; }
}

/// <summary>Another process (or another <see cref="FileStorage"/> in this one) holds the data directory's lock.</summary>
public sealed class DataDirectoryInUseException(string directory, Exception inner)
    : IOException($"the data directory {directory} is in use by another Cairn process (its LOCK file is held)", inner)
{
    public string Directory { get; } = directory;
}

/// <summary>
/// An earlier fsync or write failed, so what the device holds is unknown (after a failed fsync the kernel may have
/// dropped the dirty pages). Every later write refuses with this; the process must restart and recover from disk.
/// </summary>
public sealed class StorageFailedException(string message, Exception inner) : IOException(message, inner);

using Cairn.Storage.Internal;
using Cairn.Storage.Log;
using Cairn.Storage.Snapshots;
using Cairn.Storage.Stable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Storage;

/// <summary>
/// The file-backed storage of one node: opens (or creates) a data directory, takes its exclusive lock, recovers the
/// three stores and checks them against each other. Layout and recovery rules in DESIGN.md.
/// <para>Threading: the stores belong to the driver thread (like every Raft store). Under
/// <see cref="FsyncPolicy.IntervalMs"/> a timer flushes in the background under the storage's lock.
/// <see cref="Flush"/> and <see cref="Dispose"/> may be called from any thread, but not while the driver still uses
/// the stores (dispose after the driver stopped).</para>
/// </summary>
public sealed partial class FileStorage : IDisposable
{
    /// <summary>Name of the lock file inside the data directory.</summary>
    public const string LockFileName = "LOCK";

    /// <summary>Subdirectory of the log segments.</summary>
    public const string LogDirectoryName = "log";

    /// <summary>Subdirectory of the snapshot files.</summary>
    public const string SnapshotDirectoryName = "snapshots";

    private readonly FileStream _lock;
    private readonly Durability _durability;
    private readonly ILogger _logger;
    private ITimer? _flusher;
    private bool _disposed;

    private FileStorage(StorageOptions options, FileStream lockFile, Durability durability, ILogger logger,
        FileLogStore log, FileStableStore stable, FileSnapshotStore snapshots)
    {
        Options = options;
        _lock = lockFile;
        _durability = durability;
        _logger = logger;
        Log = log;
        Stable = stable;
        Snapshots = snapshots;
        durability.SyncLog = log.SyncCore;
    }

    public StorageOptions Options { get; }

    /// <summary>The Raft log (<c>ILogStore</c>).</summary>
    public FileLogStore Log { get; }

    /// <summary>Hard state and bootstrap membership (<c>IStableStore</c>).</summary>
    public FileStableStore Stable { get; }

    /// <summary>Snapshots (<c>ISnapshotStore</c>).</summary>
    public FileSnapshotStore Snapshots { get; }

    /// <summary>
    /// Opens <see cref="StorageOptions.DataDirectory"/> (created if missing). Throws <see cref="ArgumentException"/>
    /// for invalid options, <see cref="DataDirectoryInUseException"/> when another process holds it, and
    /// <see cref="StorageCorruptException"/> for damage start-up must not repair silently.
    /// </summary>
    /// <param name="time">Clock of the IntervalMs flusher (tests pass a manual one); the system clock by default.</param>
    public static FileStorage Open(StorageOptions options, ILogger? logger = null, TimeProvider? time = null) =>
        Open(options, logger, time, checkConsistency: true);

    /// <summary>Tests of one store's contract open without the cross-store checks (their stores need not agree).</summary>
    internal static FileStorage Open(StorageOptions options, ILogger? logger, TimeProvider? time, bool checkConsistency)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        logger ??= NullLogger.Instance;
        var root = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(root);
        var lockFile = TakeLock(root);
        var durability = new Durability(options.FsyncPolicy);
        FileLogStore? log = null;
        FileSnapshotStore? snapshots = null;
        try
        {
            var stable = FileStableStore.Open(root, durability);
            snapshots = FileSnapshotStore.Open(Path.Combine(root, SnapshotDirectoryName), options, durability, logger);
            log = FileLogStore.Open(Path.Combine(root, LogDirectoryName), options, durability, logger);
            if (durability.SyncStructural) FileSystem.SyncDirectory(root);
            var storage = new FileStorage(options, lockFile, durability, logger, log, stable, snapshots);
            if (checkConsistency) storage.CheckConsistency();
            storage.StartFlusher(time ?? TimeProvider.System);
            return storage;
        }
        catch
        {
            log?.Dispose();
            snapshots?.Dispose();
            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>Makes everything written so far durable now, whatever the policy (log, then a deferred hard state).</summary>
    public void Flush()
    {
        lock (_durability.Gate)
        {
            if (_disposed) return;
            _durability.ThrowIfFailed();
            try
            {
                Log.SyncCore();
                Stable.FlushDeferred();
            }
            catch (IOException e) when (e is not StorageFailedException)
            {
                throw _durability.Fail("flushing the storage", e);
            }
        }
    }

    /// <summary>Writes a deferred commit-only hard-state change (PerBatch and Never: the log needs no sync first).</summary>
    private void SaveDeferredCommit()
    {
        lock (_durability.Gate)
        {
            if (_disposed) return;
            _durability.ThrowIfFailed();
            Stable.FlushDeferred();
        }
    }

    /// <summary>Stops the flusher, writes a deferred commit (and syncs the log under IntervalMs), closes every file and releases the lock.</summary>
    public void Dispose()
    {
        _flusher?.Dispose();
        lock (_durability.Gate)
        {
            if (_disposed) return;
            try
            {
                if (_durability.Policy == FsyncPolicy.IntervalMs) Flush();
                else if (!_durability.IsFailed) Stable.FlushDeferred();
            }
            finally
            {
                _disposed = true;
                Log.Dispose();
                Snapshots.Dispose();
                _lock.Dispose();
            }
        }
    }

    private static FileStream TakeLock(string root)
    {
        var path = Path.Combine(root, LockFileName);
        try
        {
            // FileShare.None is an exclusive flock on Unix: a second open, from any process, fails until this one closes.
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            stream.SetLength(0);
            stream.Write(System.Text.Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n"));
            stream.Flush();
            return stream;
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new DataDirectoryInUseException(root, e);
        }
    }
}

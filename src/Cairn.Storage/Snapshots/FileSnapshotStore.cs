using Cairn.Consensus;
using Cairn.Consensus.Storage;
using Cairn.Storage.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Cairn.Storage.Snapshots;

/// <summary>
/// <see cref="ISnapshotStore"/> as files in one directory (format in <see cref="SnapshotFormat"/>): the latest
/// <see cref="StorageOptions.SnapshotsKept"/> snapshots are kept so that a latest one found damaged at start-up can
/// fall back on the one before it. Semantics are exactly <see cref="InMemorySnapshotStore"/>'s.
/// <para>Save writes a temp file, fsyncs, renames, fsyncs the directory (no fsyncs under Never). Chunks are read
/// from the latest file on demand (only its meta and an open handle stay in memory). An incoming snapshot is written
/// to <c>incoming.tmp</c> and renamed to <c>*.snap.received</c> on <see cref="ISnapshotReceiver.Complete"/>; the
/// Save that follows renames it into place instead of writing it again. The same for a snapshot the driver wrote off
/// the loop (<see cref="Prepare"/>, <c>*.snap.prepared.tmp</c>).</para>
/// <para>Threading: not thread-safe, owned by the driver thread, except <see cref="Prepare"/> (any thread: it only
/// writes its own file).</para>
/// </summary>
public sealed partial class FileSnapshotStore : ISnapshotStore, ISnapshotPreparer, IDisposable
{
    internal const string IncomingFileName = "incoming.tmp";
    internal const string ReceivedSuffix = ".received";
    internal const string CorruptSuffix = ".corrupt";
    internal const string PreparedSuffix = ".prepared";

    private readonly string _directory;
    private readonly StorageOptions _options;
    private readonly Durability _durability;
    private readonly ILogger _logger;
    private SnapshotFormat.Header? _latest;
    private SafeFileHandle? _latestHandle;
    private string? _latestPath;
    private FileSnapshotReceiver? _receiving;
    private (Snapshot Snapshot, string Path)? _completed;

    // A snapshot the driver wrote off the loop (ISnapshotPreparer), taken by the Save of the same snapshot.
    private PreparedSnapshot? _prepared;

    private FileSnapshotStore(string directory, StorageOptions options, Durability durability, ILogger logger)
    {
        _directory = directory;
        _options = options;
        _durability = durability;
        _logger = logger;
    }

    public SnapshotMeta? LatestMeta => _latest?.Meta;

    public long LatestSizeBytes => _latest?.DataLength ?? 0;

    /// <summary>The directory holding the snapshot files.</summary>
    public string Directory => _directory;

    public Snapshot? LoadLatest()
    {
        if (_latest is null) return null;
        var data = new byte[_latest.DataLength];
        SnapshotFormat.VerifyData(_latestPath!, _latestHandle!, _latest, data);
        return new Snapshot(_latest.Meta, data);
    }

    public void Save(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Invariant.Check(_latest is null || snapshot.Meta.Index >= _latest.Meta.Index, "a saved snapshot must not go back in the log");
        _durability.ThrowIfFailed();
        var path = Path.Combine(_directory, SnapshotFormat.FileName(snapshot.Meta));
        try
        {
            if ((TakeCompleted(snapshot) ?? TakePrepared(snapshot)) is { } written) File.Move(written, path, overwrite: true);
            else WriteFile(path, snapshot);
            if (_durability.SyncStructural) FileSystem.SyncDirectory(_directory);
            var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            _latestHandle?.Dispose();
            _latestHandle = handle;
            _latestPath = path;
            _latest = new SnapshotFormat.Header(snapshot.Meta, SnapshotFormat.EncodeHeader(snapshot.Meta, 0).Length, snapshot.Data.Length);
            DeleteOlderThanKept();
        }
        catch (IOException e) when (e is not StorageFailedException)
        {
            throw _durability.Fail($"saving the snapshot at {snapshot.Meta.Index}", e);
        }
    }

    public bool TryReadChunk(LogIndex index, long offset, int bytesMax, out ReadOnlyMemory<byte> chunk)
    {
        chunk = default;
        if (_latest is null || _latest.Meta.Index != index) return false;
        Invariant.Check(offset >= 0 && offset <= _latest.DataLength && bytesMax > 0, "chunk offset outside the snapshot");
        var buffer = new byte[(int)Math.Min(bytesMax, _latest.DataLength - offset)];
        var done = 0;
        while (done < buffer.Length)
        {
            var n = RandomAccess.Read(_latestHandle!, buffer.AsSpan(done), _latest.DataOffset + offset + done);
            if (n == 0) throw new StorageCorruptException(_latestPath!, _latest.DataOffset + offset + done, "snapshot file is shorter than its header says");
            done += n;
        }
        chunk = buffer;
        return true;
    }

    public ISnapshotReceiver? BeginReceive(SnapshotMeta meta, long totalBytes)
    {
        ArgumentNullException.ThrowIfNull(meta);
        DiscardReceiving();
        if (totalBytes < 0 || totalBytes > Array.MaxLength) return null;
        _durability.ThrowIfFailed();
        try
        {
            _receiving = new FileSnapshotReceiver(this, Path.Combine(_directory, IncomingFileName), meta, totalBytes);
        }
        catch (IOException e)
        {
            throw _durability.Fail("starting to receive a snapshot", e);
        }
        return _receiving;
    }

    public void Dispose()
    {
        DiscardReceiving();
        _latestHandle?.Dispose();
        _latestHandle = null;
    }

    internal Durability Durability => _durability;

    /// <summary>A receiver finished: its file waits, complete and checked, for the Save that persists it.</summary>
    internal void Completed(FileSnapshotReceiver receiver, Snapshot snapshot, string receivedPath)
    {
        if (ReferenceEquals(_receiving, receiver)) _receiving = null;
        if (_completed is { } old && old.Path != receivedPath) File.Delete(old.Path);
        _completed = (snapshot, receivedPath);
    }

    private string? TakeCompleted(Snapshot snapshot)
    {
        if (_completed is not { } c) return null;
        _completed = null;
        var same = c.Snapshot.Meta == snapshot.Meta && c.Snapshot.Data.Length == snapshot.Data.Length
            && (ReferenceEquals(c.Snapshot, snapshot) || c.Snapshot.Data.Span.SequenceEqual(snapshot.Data.Span));
        if (same) return c.Path;
        File.Delete(c.Path);
        return null;
    }

    /// <summary>Writes the file under <c>*.snap.prepared.tmp</c> (deleted at open if never saved). Any thread.</summary>
    public PreparedSnapshot Prepare(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _durability.ThrowIfFailed();
        var path = Path.Combine(_directory, SnapshotFormat.FileName(snapshot.Meta) + PreparedSuffix + FileSystem.TempSuffix);
        try
        {
            WriteTo(path, snapshot);
        }
        catch (IOException e) when (e is not StorageFailedException)
        {
            throw _durability.Fail($"writing the snapshot at {snapshot.Meta.Index}", e);
        }
        return new PreparedSnapshot(snapshot, path);
    }

    public void Offer(PreparedSnapshot prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        if (_prepared is { } old && old.Path != prepared.Path) Discard(old);
        _prepared = prepared;
    }

    public void Discard(PreparedSnapshot prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        if (ReferenceEquals(_prepared, prepared)) _prepared = null;
        File.Delete(prepared.Path);
    }

    private string? TakePrepared(Snapshot snapshot)
    {
        if (_prepared is not { } p) return null;
        _prepared = null;
        var same = p.Snapshot.Meta == snapshot.Meta && p.Snapshot.Data.Length == snapshot.Data.Length
            && (p.Snapshot.Data.Equals(snapshot.Data) || p.Snapshot.Data.Span.SequenceEqual(snapshot.Data.Span));
        if (same) return p.Path;
        File.Delete(p.Path);
        return null;
    }

    private void WriteFile(string path, Snapshot snapshot)
    {
        var temp = path + FileSystem.TempSuffix;
        WriteTo(temp, snapshot);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Header, data, checksum trailer, and an fsync unless the policy is Never.</summary>
    private void WriteTo(string temp, Snapshot snapshot)
    {
        var header = SnapshotFormat.EncodeHeader(snapshot.Meta, snapshot.Data.Length);
        using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            RandomAccess.Write(handle, header, 0);
            RandomAccess.Write(handle, snapshot.Data.Span, header.Length);
            RandomAccess.Write(handle, SnapshotFormat.EncodeTrailer(Crc32C.Compute(snapshot.Data.Span)), header.Length + snapshot.Data.Length);
            if (_durability.SyncStructural) FileSystem.SyncFile(handle);
        }
    }

    private void DiscardReceiving()
    {
        _receiving?.Discard();
        _receiving = null;
    }
}

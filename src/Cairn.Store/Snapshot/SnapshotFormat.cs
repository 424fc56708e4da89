namespace Cairn.Store.Snapshot;

/// <summary>
/// Snapshot layout (all little-endian):
/// <code>
/// header:  "CAIRNSNP" | u32 format | i64 revision | i64 collections | i64 documents | i64 keys | i64 dedup entries
/// records: each [varint length][payload], in this order:
///          per collection (by name): [name][varint document count], then its documents (by id): [id][json][meta]
///          per key (by key): [key][value][optional expiry][meta]
///          per dedup entry (oldest first): [revision][request id][result]
/// trailer: SHA-256 of everything before it
/// </code>
/// Everything is in a canonical order, so equal states give identical bytes: the trailer doubles as the state hash.
/// </summary>
internal static class SnapshotFormat
{
    public static ReadOnlySpan<byte> Magic => "CAIRNSNP"u8;
    public const uint Version = 1;
    public const int HeaderBytes = 8 + 4 + (6 * 8);
    public const int HashBytes = 32;
    /// <summary>Stream I/O granularity.</summary>
    public const int BufferBytes = 64 * 1024;
    /// <summary>Upper bound on one record (a dedup entry can hold a txn's Get results); a corrupt length past it is refused.</summary>
    public const int RecordBytesMax = 1 << 30;
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using Cairn;
using Cairn.Consensus;
using Cairn.Storage;
using Cairn.Store;
using Cairn.Store.Codec;

/// <summary>
/// <c>dotnet run -c Release --project bench/Cairn.Benchmarks -- restore-profile DATA_DIR [ROUNDS]</c>: times each step a
/// durable node takes to get its state back from a stopped node's data directory — the steps of RaftDriver's
/// constructor and its first Ready cycles, without the host, the runtime start and the election: open the storage
/// (lock, stable file, snapshot headers and checksums, log segments), load the latest snapshot, decode it into a
/// KvStore, read the log tail after it and apply it. Prints one line per step and round (the first round reads cold
/// files unless the page cache holds them).
/// </summary>
internal static class RestoreProfile
{
    public static int Run(string[] args)
    {
        if (args.Length < 2 || !Directory.Exists(args[1]))
        {
            Console.Error.WriteLine("usage: restore-profile DATA_DIR [ROUNDS]  (the node must be stopped)");
            return 2;
        }
        var rounds = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3;
        for (var round = 1; round <= rounds; round++) RunOnce(args[1], round);
        return 0;
    }

    private static void RunOnce(string dataDirectory, int round)
    {
        GC.Collect();
        var clock = Stopwatch.StartNew();
        var steps = new List<(string Step, double Ms)>();
        void Step(string name)
        {
            steps.Add((name, clock.Elapsed.TotalMilliseconds));
            clock.Restart();
        }

        using var storage = FileStorage.Open(new StorageOptions { DataDirectory = dataDirectory });
        Step("open storage (stable, snapshot checks, log segments)");
        var snapshot = storage.Snapshots.LoadLatest() ?? throw new InvalidOperationException("no snapshot in " + dataDirectory);
        Step($"load snapshot ({snapshot.Data.Length / 1048576.0:F0} MB)");
        var store = KvStore.Restore(AsStream(snapshot.Data), new StoreLimits());
        Step($"decode snapshot into the store ({store.Current.DocumentCount:N0} documents)");
        var commit = storage.Stable.Load()?.HardState.Commit ?? LogIndex.Zero;
        var from = snapshot.Meta.Index.Next;
        var entries = from <= commit ? storage.Log.GetEntries(from, commit.Next, long.MaxValue) : [];
        Step($"read the log tail ({entries.Count:N0} entries)");
        foreach (var entry in entries)
        {
            var revision = (long)entry.Index.Value;
            if (entry.Kind == EntryKind.Normal && !entry.Data.IsEmpty) store.Apply(revision, CommandCodec.Decode(entry.Data.Span));
            else store.Skip(revision);
        }
        Step("decode and apply the log tail");
        Console.WriteLine($"round {round}: " + string.Join("; ", steps.Select(s => $"{s.Step} {s.Ms:F0} ms")) +
                          $"; total {steps.Sum(s => s.Ms):F0} ms; managed heap {GC.GetTotalMemory(false) / 1048576} MB");
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> data) =>
        MemoryMarshal.TryGetArray(data, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);
}

using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Cairn.WatchBench;

/// <summary>
/// Opens many idle watchers against a separate server process and reports the server's resident memory before, with
/// them open, and after each has received a burst of changes (their queues and buffers in use).
/// </summary>
internal static class MemoryMode
{
    private const int BurstWrites = 100;

    public static async Task RunAsync(HttpClient http, Uri server, Args options, CancellationToken ct)
    {
        var pid = options.ServerPid ?? throw new ArgumentException("--memory-watchers needs --server-pid (a separate server process)");
        var before = ResidentBytes(pid);
        var watchers = Enumerable.Range(0, options.MemoryWatchers).Select(_ => new BenchWatcher()).ToList();
        var collection = "mem" + Guid.NewGuid().ToString("N")[..8];
        var reading = new List<Task>();
        foreach (var batch in watchers.Chunk(100))
        {
            reading.AddRange(batch.Select(w => w.RunAsync(http, server, $"?collection={collection}&values=true", options.WebSocket, ct)));
            await WaitAsync(() => batch.All(w => w.Started), reading);
        }
        var open = ResidentBytes(pid);
        long last = 0;
        for (var i = 0; i < BurstWrites; i++)
        {
            using var response = await http.PutAsync($"/v1/{collection}/d{i}", new StringContent($$"""{"i":{{i}},"pad":"{{new string('x', 1000)}}"}""", Encoding.UTF8, "application/json"), ct);
            response.EnsureSuccessStatusCode();
            last = long.Parse(response.Headers.GetValues("X-Cairn-Revision").Single(), CultureInfo.InvariantCulture);
        }
        await WaitAsync(() => watchers.All(w => w.LastRevision >= last), reading);
        var busy = ResidentBytes(pid);
        Console.WriteLine($"server pid {pid}: resident {Mib(before)} before, {Mib(open)} with {watchers.Count} idle watchers " +
            $"(+{(open - before) / watchers.Count / 1024.0:F1} KiB each), {Mib(busy)} after each received {BurstWrites} 1 KiB documents " +
            $"(+{(busy - before) / watchers.Count / 1024.0:F1} KiB each)");
    }

    private static long ResidentBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        throw new InvalidOperationException($"no VmRSS for process {pid}");
    }

    private static string Mib(long bytes) => $"{bytes / (1024.0 * 1024):F1} MiB";

    private static async Task WaitAsync(Func<bool> done, List<Task> readers)
    {
        var deadline = Stopwatch.GetTimestamp() + 120 * Stopwatch.Frequency;
        while (!done())
        {
            if (readers.FirstOrDefault(r => r.IsFaulted) is { } failed) throw new InvalidOperationException("a watcher failed", failed.Exception);
            if (Stopwatch.GetTimestamp() > deadline) throw new TimeoutException("watchers did not keep up");
            await Task.Delay(10);
        }
    }
}

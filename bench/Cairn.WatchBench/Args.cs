using System.Globalization;

namespace Cairn.WatchBench;

/// <summary>Command-line settings of the watch benchmark.</summary>
internal sealed record Args(Uri? Server, int Watchers, int Writers, double Seconds, bool WebSocket, int MemoryWatchers, int? ServerPid)
{
    public static Args Parse(string[] args)
    {
        var a = new Args(null, 100, 16, 10, false, 0, null);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            a = args[i] switch
            {
                "--server" => a with { Server = new Uri(Next()) },
                "--watchers" => a with { Watchers = Int(Next()) },
                "--writers" => a with { Writers = Int(Next()) },
                "--seconds" => a with { Seconds = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--transport" => a with { WebSocket = Next() switch { "ws" or "websocket" => true, "sse" => false, var t => throw new ArgumentException($"unknown transport {t}") } },
                "--memory-watchers" => a with { MemoryWatchers = Int(Next()) },
                "--server-pid" => a with { ServerPid = Int(Next()) },
                var other => throw new ArgumentException($"unknown argument {other}; see the comment at the top of Program.cs"),
            };
        }
        return a;
    }

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);
}

using System.CommandLine;
using Cairn.Client;

namespace Cairn.Cli;

/// <summary>
/// <c>cairn watch [collection[/id]] [--key k | --prefix p]</c>: prints changes as they are applied, one line each, and
/// resumes by itself after a disconnect (Cairn.Client's watch). Markers (start, snapshot, overflow) go to standard error.
/// </summary>
internal static class WatchCommand
{
    /// <summary>Consecutive failed connection attempts before the command gives up (about a minute and a half of back-off).</summary>
    public const int ReconnectAttemptsMax = 20;

    public static Command Create()
    {
        var target = new Argument<string?>("target") { Description = "a collection, or collection/id for one document (omit: everything)", Arity = ArgumentArity.ZeroOrOne };
        var key = new Option<string?>("--key") { Description = "watch one raw key" };
        var prefix = new Option<string?>("--prefix") { Description = "watch raw keys starting with this prefix ('' for every raw key)" };
        var from = new Option<long?>("--from-revision") { Description = "replay every change after this revision first (a snapshot if it is older than the history)" };
        var values = new Option<bool>("--values") { Description = "print values (documents as JSON, raw values as text or base64)" };
        var consistency = new Option<string?>("--consistency") { Description = "linearizable: start no older than a linearizable read" };
        var webSocket = new Option<bool>("--websocket") { Description = "use a WebSocket instead of Server-Sent Events" };
        var json = new Option<bool>("--json") { Description = "print every message as the server's JSON, one per line (progress included)" };
        var count = new Option<int?>("--count") { Description = "exit after this many changes" };
        var command = new Command("watch", "Print changes as they happen (Ctrl+C stops)") { target, key, prefix, from, values, consistency, webSocket, json, count };
        command.SetAction(async (parse, ct) =>
        {
            var (collection, id) = Split(parse.GetValue(target));
            var request = new WatchRequest
            {
                Collection = collection,
                Id = id,
                Key = parse.GetValue(key),
                Prefix = parse.GetValue(prefix),
                FromRevision = parse.GetValue(from),
                Values = parse.GetValue(values),
                Consistency = parse.GetValue(consistency),
                Transport = parse.GetValue(webSocket) ? WatchTransport.WebSocket : WatchTransport.ServerSentEvents,
                ReconnectAttemptsMax = ReconnectAttemptsMax,
            };
            using var client = new CairnClient(new Uri(ServeCommand.ToUrl(parse.GetValue(ClientCommands.ServerOption)!)));
            return await RunAsync(client, request, parse.GetValue(json), parse.GetValue(count), ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(CairnClient client, WatchRequest request, bool json, int? count, CancellationToken ct)
    {
        var changes = 0;
        try
        {
            await foreach (var e in client.WatchAsync(request, ct))
            {
                if (json) Console.Out.WriteLine(e.Json);
                else Print(e);
                if (e.IsChange && ++changes == count) break;
            }
            return 0;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return 0;
        }
        catch (CairnException e)
        {
            Console.Error.WriteLine($"{e.ProblemType}: {e.Detail}");
            return 1;
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"cannot reach {client.Http.BaseAddress}: {e.Message}");
            return 2;
        }
    }

    private static void Print(WatchEvent e)
    {
        var target = e.Collection is null ? e.Key : $"{e.Collection}/{e.Id}";
        switch (e.Type)
        {
            case WatchEventType.Start:
                Console.Error.WriteLine($"watching from revision {e.Revision}");
                break;
            case WatchEventType.Progress:
                break;
            case WatchEventType.Overflow:
                Console.Error.WriteLine($"fell behind; resynchronizing after revision {e.Revision}");
                break;
            case WatchEventType.SnapshotBegin:
                Console.Error.WriteLine($"snapshot at revision {e.Revision} (the history no longer reaches back): current items follow");
                break;
            case WatchEventType.SnapshotEnd:
                Console.Error.WriteLine($"snapshot complete at revision {e.Revision}; changes follow");
                break;
            default:
                var type = e.Snapshot ? "item" : e.Type.ToString().ToLowerInvariant();
                var value = e.Value is null ? "" : "\t" + (e.Collection is null && !System.Text.Unicode.Utf8.IsValid(e.Value.Value.Span)
                    ? "base64:" + Convert.ToBase64String(e.Value.Value.Span)
                    : e.ValueText);
                Console.Out.WriteLine($"{e.Revision}\t{type}\t{target}{value}");
                break;
        }
    }

    private static (string? Collection, string? Id) Split(string? target)
    {
        if (string.IsNullOrEmpty(target)) return (null, null);
        var slash = target.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (target, null) : (target[..slash], target[(slash + 1)..]);
    }
}

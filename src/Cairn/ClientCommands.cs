using System.CommandLine;
using System.Text;
using Cairn.Client;

namespace Cairn.Cli;

/// <summary><c>cairn get | put | delete | list | kv ...</c>: a command-line client of any node.</summary>
internal static class ClientCommands
{
    public static readonly Option<string> ServerOption = new("--server", "-s")
    {
        Description = "Any node of the cluster, as host:port or a URL (default: $CAIRN_SERVER or 127.0.0.1:7070)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CAIRN_SERVER") ?? ServeCommand.DefaultHttp,
    };

    public static IEnumerable<Command> Create()
    {
        var path = new Argument<string>("path") { Description = "collection/id of a document" };
        var consistency = new Option<string?>("--consistency") { Description = "linearizable (default), lease, session or stale" };
        var get = new Command("get", "Print a document") { path, consistency };
        get.SetAction((p, ct) => Run(p, async c =>
        {
            var (collection, id) = Split(p.GetValue(path)!);
            var doc = await c.GetAsync(collection, id, p.GetValue(consistency), ct);
            if (doc is null) return Fail($"{collection}/{id} does not exist", 4);
            Console.Out.WriteLine(doc.Json);
            Console.Error.WriteLine($"revision {doc.Revision}");
            return 0;
        }));

        var putPath = new Argument<string>("path") { Description = "collection/id to create or replace, or a collection to create with a generated id" };
        var json = new Argument<string>("json") { Description = "the document, a JSON object ('-' reads standard input)" };
        var ifRevision = new Option<long?>("--if-revision") { Description = "only if the document is still at this revision (compare-and-set)" };
        var createOnly = new Option<bool>("--create-only") { Description = "only if the document does not exist yet" };
        var put = new Command("put", "Create or replace a document") { putPath, json, ifRevision, createOnly };
        put.SetAction((p, ct) => Run(p, async c =>
        {
            var target = p.GetValue(putPath)!;
            var body = ReadArgument(p.GetValue(json)!);
            var written = target.Contains('/', StringComparison.Ordinal)
                ? await c.PutAsync(Split(target).Collection, Split(target).Id, body, p.GetValue(ifRevision), p.GetValue(createOnly), ct)
                : await c.CreateAsync(target, body, ct);
            Console.Out.WriteLine($"{(written.Created ? "created" : "replaced")} {written.Id} at revision {written.Revision} (version {written.Version})");
            return 0;
        }));

        var delPath = new Argument<string>("path") { Description = "collection/id of a document" };
        var delIf = new Option<long?>("--if-revision") { Description = "only if the document is still at this revision" };
        var delete = new Command("delete", "Delete a document") { delPath, delIf };
        delete.SetAction((p, ct) => Run(p, async c =>
        {
            var (collection, id) = Split(p.GetValue(delPath)!);
            var revision = await c.DeleteAsync(collection, id, p.GetValue(delIf), ct);
            Console.Out.WriteLine($"deleted {collection}/{id} at revision {revision}");
            return 0;
        }));

        var listCollection = new Argument<string?>("collection") { Description = "a collection (omit to list collections)", Arity = ArgumentArity.ZeroOrOne };
        var limit = new Option<int?>("--limit") { Description = "page size" };
        var after = new Option<string?>("--after") { Description = "list ids after this one" };
        var list = new Command("list", "List collections, or the documents of one collection") { listCollection, limit, after };
        list.SetAction((p, ct) => Run(p, async c =>
        {
            if (p.GetValue(listCollection) is not { } collection)
            {
                foreach (var (name, count) in await c.CollectionsAsync(ct)) Console.Out.WriteLine($"{name}\t{count}");
                return 0;
            }
            var (items, next) = await c.ListAsync(collection, p.GetValue(limit), p.GetValue(after), ct);
            foreach (var d in items) Console.Out.WriteLine($"{d.Id}\t{d.Revision}\t{d.Json}");
            if (next is not null) Console.Error.WriteLine($"more: --after {next}");
            return 0;
        }));

        return [get, put, delete, list, KvCommand()];
    }

    private static Command KvCommand()
    {
        var key = new Argument<string>("key");
        var value = new Argument<string>("value") { Description = "the value ('-' reads standard input)" };
        var ttl = new Option<string?>("--ttl") { Description = "expire after this long: 500ms, 30s, 5m, 2h, 1d" };
        var get = new Command("get", "Print a raw key's value") { key };
        get.SetAction((p, ct) => Run(p, async c =>
        {
            var entry = await c.KvGetAsync(p.GetValue(key)!, ct: ct);
            if (entry is null) return Fail($"key {p.GetValue(key)} does not exist", 4);
            await using var stdout = Console.OpenStandardOutput();
            await stdout.WriteAsync(entry.Value, ct);
            return 0;
        }));
        var put = new Command("put", "Set a raw key") { key, value, ttl };
        put.SetAction((p, ct) => Run(p, async c =>
        {
            var raw = Encoding.UTF8.GetBytes(ReadArgument(p.GetValue(value)!));
            var t = p.GetValue(ttl) is { } s ? ParseTtl(s) : (TimeSpan?)null;
            var revision = await c.KvPutAsync(p.GetValue(key)!, raw, t, ct: ct);
            Console.Out.WriteLine($"set {p.GetValue(key)} at revision {revision}");
            return 0;
        }));
        var del = new Command("delete", "Delete a raw key") { key };
        del.SetAction((p, ct) => Run(p, async c =>
        {
            Console.Out.WriteLine($"deleted at revision {await c.KvDeleteAsync(p.GetValue(key)!, ct: ct)}");
            return 0;
        }));
        var prefix = new Option<string>("--prefix") { DefaultValueFactory = _ => "" };
        var list = new Command("list", "List raw keys") { prefix };
        list.SetAction((p, ct) => Run(p, async c =>
        {
            var (items, next) = await c.KvListAsync(p.GetValue(prefix)!, ct: ct);
            foreach (var k in items) Console.Out.WriteLine($"{k.Key}\t{k.Revision}\t{Encoding.UTF8.GetString(k.Value)}");
            if (next is not null) Console.Error.WriteLine($"more after {next}");
            return 0;
        }));
        return new Command("kv", "Raw keys with optional TTL") { get, put, del, list };
    }

    private static async Task<int> Run(ParseResult parse, Func<CairnClient, Task<int>> action)
    {
        using var client = new CairnClient(new Uri(ServeCommand.ToUrl(parse.GetValue(ServerOption)!)));
        try
        {
            return await action(client);
        }
        catch (CairnException e)
        {
            return Fail($"{e.ProblemType}: {e.Detail}", e.Status == 404 ? 4 : 1);
        }
        catch (Api.ApiProblemException e)
        {
            return Fail(e.Message, 1);
        }
        catch (HttpRequestException e)
        {
            return Fail($"cannot reach {client.Http.BaseAddress}: {e.Message}", 2);
        }
    }

    private static int Fail(string message, int code)
    {
        Console.Error.WriteLine(message);
        return code;
    }

    private static (string Collection, string Id) Split(string path)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == path.Length - 1) throw new ArgumentException($"expected collection/id, got '{path}'");
        return (path[..slash], path[(slash + 1)..]);
    }

    private static string ReadArgument(string value) => value == "-" ? Console.In.ReadToEnd() : value;

    // The server's own parser, so the command line accepts exactly what the API accepts.
    private static TimeSpan ParseTtl(string s) => new Api.RequestValidation(new Api.ApiOptions()).Ttl(s);
}

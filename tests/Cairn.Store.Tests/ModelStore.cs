using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Cairn.Store.Tests;

/// <summary>
/// A trivially correct model of the store: plain dictionaries, whole-state copies for txns, a list for the dedup
/// window. Written from the specification, not from the store's code.
/// </summary>
internal sealed partial class ModelStore(StoreLimits limits)
{
    public sealed record Item(string? Collection, string Key, byte[] Value, long? ExpiresAt, ItemMeta Meta);

    private static readonly JsonSerializerOptions JsonOut = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private Dictionary<(string C, string Id), Item> _docs = [];
    private Dictionary<string, Item> _keys = new(StringComparer.Ordinal);
    private readonly List<(string Id, CommandResult Result)> _dedup = [];
    private long _now;

    public long Revision { get; private set; }
    /// <summary>The events of the last command.</summary>
    public List<string> Events { get; } = [];

    public IEnumerable<Item> Documents => _docs.Values.OrderBy(d => d.Collection, StringComparer.Ordinal).ThenBy(d => d.Key, StringComparer.Ordinal);
    public IEnumerable<Item> Keys => _keys.Values.OrderBy(k => k.Key, StringComparer.Ordinal);
    public IEnumerable<string> DedupIds => _dedup.Select(d => d.Id);

    public Item? Doc(string c, string id) => _docs.GetValueOrDefault((c, id));
    public Item? KeyAt(string key, long now) => _keys.GetValueOrDefault(key) is { } k && !(k.ExpiresAt <= now) ? k : null;

    public CommandResult Apply(long revision, CommandEnvelope e)
    {
        Revision = revision;
        Events.Clear();
        _now = e.ProposedAtUnixMs;
        foreach (var (id, remembered) in _dedup)
        {
            if (id == e.RequestId) return remembered;
        }
        var result = Execute(e.Command);
        if (e.RequestId is { } rid)
        {
            _dedup.Add((rid, Slim(e.Command, result)));
            if (_dedup.Count > limits.DedupEntriesMax) _dedup.RemoveAt(0);
        }
        return result;
    }

    private CommandResult Execute(Command c)
    {
        if (!Valid(c)) return new CommandResult(Revision, ResultCode.Rejected);
        return c switch
        {
            Expire x => DoExpire(x),
            Txn t => DoTxn(t),
            _ => Write(c),
        };
    }

    private CommandResult Write(Command c)
    {
        switch (c)
        {
            case DocPut p:
            {
                var existing = Doc(p.Collection, p.Id);
                if (Failed(p.Precondition, existing) is { } code) return Fail(code, existing);
                return Ok(PutDoc(p.Collection, p.Id, p.Json.ToArray(), existing), existing);
            }
            case DocMergePatch p:
            {
                var existing = Doc(p.Collection, p.Id);
                if (existing is null) return Fail(ResultCode.NotFound, null);
                if (Failed(p.Precondition, existing) is { } code) return Fail(code, existing);
                var merged = Merge(JsonNode.Parse(existing.Value), JsonNode.Parse(p.Patch.Span));
                var bytes = Encoding.UTF8.GetBytes(merged?.ToJsonString(JsonOut) ?? "null");
                if (merged is not JsonObject || bytes.Length > limits.ValueBytesMax) return new CommandResult(Revision, ResultCode.Rejected, ToStored(existing));
                return Ok(PutDoc(p.Collection, p.Id, bytes, existing), existing);
            }
            case DocDelete d:
            {
                var existing = Doc(d.Collection, d.Id);
                if (Failed(d.Precondition, existing) is { } code) return Fail(code, existing);
                if (existing is null) return Fail(ResultCode.NotFound, null);
                _docs.Remove((d.Collection, d.Id));
                Event(ChangeType.Delete, d.Collection, d.Id, [], existing.Meta.ModRevision);
                return new CommandResult(Revision, ResultCode.Ok, null, existing.Meta);
            }
            case KvPut k:
            {
                var live = LiveForCommand(k.Key);
                if (Failed(k.Precondition, live) is { } code) return Fail(code, live);
                if (live is null && _keys.GetValueOrDefault(k.Key) is { } hidden) Event(ChangeType.Expire, null, k.Key, [], hidden.Meta.ModRevision);
                var item = new Item(null, k.Key, k.Value.ToArray(), k.ExpiresAtUnixMs, Next(live));
                _keys[k.Key] = item;
                Event(ChangeType.Put, null, k.Key, item.Value, live?.Meta.ModRevision ?? 0);
                return Ok(item, live);
            }
            case KvDelete k:
            {
                var live = LiveForCommand(k.Key);
                if (Failed(k.Precondition, live) is { } code) return Fail(code, live);
                if (live is null) return Fail(ResultCode.NotFound, null);
                _keys.Remove(k.Key);
                Event(ChangeType.Delete, null, k.Key, [], live.Meta.ModRevision);
                return new CommandResult(Revision, ResultCode.Ok, null, live.Meta);
            }
            default:
                throw new InvalidOperationException(c.GetType().Name);
        }
    }

    private CommandResult DoExpire(Expire x)
    {
        foreach (var key in x.Keys)
        {
            if (_keys.GetValueOrDefault(key) is { ExpiresAt: { } at } k && at <= x.NowUnixMs)
            {
                _keys.Remove(key);
                Event(ChangeType.Expire, null, key, [], k.Meta.ModRevision);
            }
        }
        return new CommandResult(Revision, ResultCode.Ok);
    }

    private CommandResult DoTxn(Txn t)
    {
        var succeeded = t.Compares.All(Holds);
        var branch = succeeded ? t.Success : t.Failure;
        var (docs, keys, events) = (new Dictionary<(string, string), Item>(_docs), new Dictionary<string, Item>(_keys, StringComparer.Ordinal), Events.Count);
        var results = new List<CommandResult>();
        for (var i = 0; i < branch.Count; i++)
        {
            if (branch[i] is TxnOp.Get g)
            {
                var item = g.Target.IsDocument ? Doc(g.Target.Collection!, g.Target.Key) : LiveForCommand(g.Target.Key);
                results.Add(new CommandResult(Revision, item is null ? ResultCode.NotFound : ResultCode.Ok, ToStored(item)));
                continue;
            }
            var write = ((TxnOp.Write)branch[i]).Command;
            var r = Write(write);
            results.Add(r);
            var tolerated = r.Code == ResultCode.NotFound && write is DocDelete { Precondition.Kind: PreconditionKind.None } or KvDelete { Precondition.Kind: PreconditionKind.None };
            if (!r.IsOk && !tolerated)
            {
                (_docs, _keys) = (docs, keys);
                Events.RemoveRange(events, Events.Count - events);
                return new CommandResult(Revision, ResultCode.TxnAborted, Txn: new TxnResult(succeeded, results, i));
            }
        }
        return new CommandResult(Revision, ResultCode.Ok, Txn: new TxnResult(succeeded, results));
    }

    private bool Holds(TxnCompare c)
    {
        var item = c.Target.IsDocument ? Doc(c.Target.Collection!, c.Target.Key) : LiveForCommand(c.Target.Key);
        int comparison;
        if (c.Field == CompareField.Value)
        {
            if (item is null) return false;
            comparison = Math.Sign(item.Value.AsSpan().SequenceCompareTo(c.Value.Span));
        }
        else
        {
            long actual = c.Field switch
            {
                CompareField.Version => item?.Meta.Version ?? 0,
                CompareField.CreateRevision => item?.Meta.CreateRevision ?? 0,
                CompareField.ModRevision => item?.Meta.ModRevision ?? 0,
                _ => item is null ? 0 : 1,
            };
            comparison = Math.Sign(actual.CompareTo(c.Number));
        }
        return c.Op switch
        {
            CompareOp.Equal => comparison == 0,
            CompareOp.NotEqual => comparison != 0,
            CompareOp.Less => comparison < 0,
            _ => comparison > 0,
        };
    }

    /// <summary>RFC 7396 §2, written as in the RFC on copies.</summary>
    private static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject p) return patch?.DeepClone();
        var result = target is JsonObject t ? (JsonObject)t.DeepClone() : [];
        foreach (var (name, value) in p)
        {
            if (value is null) result.Remove(name);
            else result[name] = Merge(result[name]?.DeepClone(), value);
        }
        return result;
    }

    private Item? LiveForCommand(string key) => _keys.GetValueOrDefault(key) is { } k && !(_now > 0 && k.ExpiresAt <= _now) ? k : null;

    private Item PutDoc(string c, string id, byte[] json, Item? existing)
    {
        var item = new Item(c, id, json, null, Next(existing));
        _docs[(c, id)] = item;
        Event(ChangeType.Put, c, id, json, existing?.Meta.ModRevision ?? 0);
        return item;
    }

    private ItemMeta Next(Item? existing) =>
        existing is null ? new ItemMeta(Revision, Revision, 1) : new ItemMeta(existing.Meta.CreateRevision, Revision, existing.Meta.Version + 1);

    private static ResultCode? Failed(Precondition p, Item? existing) => p.Kind switch
    {
        PreconditionKind.MustNotExist when existing is not null => ResultCode.AlreadyExists,
        PreconditionKind.MustExist when existing is null => ResultCode.NotFound,
        PreconditionKind.RevisionEquals when existing is null => ResultCode.NotFound,
        PreconditionKind.RevisionEquals when existing.Meta.ModRevision != p.Revision => ResultCode.RevisionMismatch,
        _ => null,
    };

    private CommandResult Ok(Item item, Item? previous) => new(Revision, ResultCode.Ok, ToStored(item), previous?.Meta);
    private CommandResult Fail(ResultCode code, Item? current) => new(Revision, code, ToStored(current));

    public static StoredItem? ToStored(Item? i) => i switch
    {
        null => null,
        { Collection: { } c } => StoredItem.Of(new Document(c, i.Key, i.Value, i.Meta)),
        _ => StoredItem.Of(new KvEntry(i.Key, i.Value, i.ExpiresAt, i.Meta)),
    };

    private void Event(ChangeType type, string? c, string key, byte[] value, long prev) =>
        Events.Add($"{Revision} {type} {c ?? "-"} {key} {Convert.ToHexString(value)} {prev}");

    private static CommandResult Slim(Command c, CommandResult r)
    {
        var slim = r with { Current = Strip(r.Current) };
        if (r.Txn is { } t && c is Txn txn)
        {
            var branch = t.Succeeded ? txn.Success : txn.Failure;
            slim = slim with { Txn = t with { Results = t.Results.Select((x, i) => branch[i] is TxnOp.Get ? x : x with { Current = Strip(x.Current) }).ToList() } };
        }
        return slim;

        static StoredItem? Strip(StoredItem? s) => s switch
        {
            { Document: { } d } => StoredItem.Of(d with { Json = Array.Empty<byte>() }),
            { Key: { } k } => StoredItem.Of(k with { Value = Array.Empty<byte>() }),
            _ => null,
        };
    }

    private bool Valid(Command c) => c switch
    {
        DocPut p => Name(p.Collection) && Key(p.Id) && p.Json.Length <= limits.ValueBytesMax,
        DocMergePatch p => Name(p.Collection) && Key(p.Id) && p.Patch.Length <= limits.ValueBytesMax,
        DocDelete d => Name(d.Collection) && Key(d.Id),
        KvPut k => Key(k.Key) && k.Value.Length <= limits.ValueBytesMax,
        KvDelete k => Key(k.Key),
        Expire => true,
        Txn t => t.Compares.Count <= limits.TxnOpsMax && t.Success.Count <= limits.TxnOpsMax && t.Failure.Count <= limits.TxnOpsMax
            && t.Compares.All(x => Target(x.Target) && x.Value.Length <= limits.ValueBytesMax)
            && t.Success.Concat(t.Failure).All(op => op switch
            {
                TxnOp.Get g => Target(g.Target),
                TxnOp.Write { Command: not (Expire or Txn) } w => Valid(w.Command),
                _ => false,
            }),
        _ => false,
    };

    private bool Target(Target t) => t.IsDocument ? Name(t.Collection!) && Key(t.Key) : Key(t.Key);
    private static bool Name(string c) => CollectionName().IsMatch(c);
    private bool Key(string k) => k.Length > 0 && Encoding.UTF8.GetByteCount(k) <= limits.KeyBytesMax;

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex CollectionName();
}

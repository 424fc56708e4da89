using System.Text;

namespace Cairn.Store.Tests;

/// <summary>A store with a revision counter and shorthand for building commands.</summary>
internal sealed class StoreHarness
{
    public StoreHarness(StoreLimits? limits = null)
    {
        Store = new KvStore(limits ?? StoreLimits.Default);
        Store.OnChange += Events.Add;
    }

    public KvStore Store { get; }
    public List<ChangeEvent> Events { get; } = [];
    public long Revision => Store.AppliedRevision;
    public StoreView View => Store.Current;

    public CommandResult Apply(Command command, string? requestId = null, long nowUnixMs = 0) =>
        Store.Apply(Store.AppliedRevision + 1, new CommandEnvelope(requestId, command, nowUnixMs));

    public CommandResult PutDoc(string collection, string id, string json, Precondition precondition = default) =>
        Apply(new DocPut(collection, id, Utf8(json), precondition));

    public CommandResult PutKey(string key, string value, long? expiresAt = null, Precondition precondition = default, long nowUnixMs = 0) =>
        Apply(new KvPut(key, Utf8(value), expiresAt, precondition), nowUnixMs: nowUnixMs);

    public Document Doc(string collection, string id) =>
        View.TryGetDocument(collection, id, out var d) ? d : throw new Xunit.Sdk.XunitException($"{collection}/{id} is missing");

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
    public static string Text(ReadOnlyMemory<byte> b) => Encoding.UTF8.GetString(b.Span);
}

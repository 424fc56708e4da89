using System.Text;
using Cairn.Api.Watch;
using Cairn.Store;
using Microsoft.Extensions.Options;

namespace Cairn.Api.Tests.Watch;

/// <summary>A store, its feed and a manual clock, with the test thread as the apply thread.</summary>
internal sealed class FeedHarness : IDisposable
{
    public FeedHarness(WatchOptions? options = null, StoreLimits? limits = null)
    {
        Store = new KvStore(limits ?? StoreLimits.Default);
        Options = options ?? new WatchOptions();
        Feed = new ChangeFeed(Store, Microsoft.Extensions.Options.Options.Create(Options), Clock);
    }

    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    public KvStore Store { get; }
    public WatchOptions Options { get; }
    public ChangeFeed Feed { get; }

    public CommandResult Apply(Command command) => Store.Apply(Store.AppliedRevision + 1, new CommandEnvelope(null, command));

    public long PutDoc(string collection, string id, string json = "{}") =>
        Apply(new DocPut(collection, id, Encoding.UTF8.GetBytes(json), default)).Revision;

    public long DeleteDoc(string collection, string id) => Apply(new DocDelete(collection, id, default)).Revision;

    public long PutKey(string key, string value, long? expiresAt = null) =>
        Apply(new KvPut(key, Encoding.UTF8.GetBytes(value), expiresAt, default)).Revision;

    public Running Watch(WatchFilter filter, long? start = null, bool values = true)
    {
        var sink = new FakeSink();
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watcher = Feed.Register(filter, () => aborted.TrySetResult());
        var session = new WatchSession(Feed, watcher, new WatchMessages(sink, values));
        var cts = new CancellationTokenSource();
        var from = start ?? Feed.PublishedRevision;
        var task = Task.Run(async () =>
        {
            try
            {
                await session.RunAsync(from, "n1", cts.Token);
            }
            finally
            {
                Feed.Unregister(watcher);
            }
        });
        return new Running(sink, watcher, session, task, cts, aborted.Task);
    }

    /// <summary>What a filter should show now: the matching items of the current view, as a client state holds them.</summary>
    public Dictionary<string, (long Revision, string? Value)> Expected(WatchFilter filter)
    {
        var view = Store.Current;
        var result = new Dictionary<string, (long, string?)>(StringComparer.Ordinal);
        foreach (var c in view.ListCollections())
        {
            foreach (var d in view.ListDocuments(c.Name, null, int.MaxValue))
            {
                if (filter.Matches(new ChangeEvent(0, ChangeType.Put, c.Name, d.Id, default, 0)))
                    result[$"{c.Name}/{d.Id}"] = (d.Meta.ModRevision, Encoding.UTF8.GetString(d.Json.Span));
            }
        }
        foreach (var k in view.ListKeys("", null, int.MaxValue, long.MinValue))
        {
            if (filter.Matches(new ChangeEvent(0, ChangeType.Put, null, k.Key, default, 0)))
                result[k.Key] = (k.Meta.ModRevision, Encoding.UTF8.GetString(k.Value.Span));
        }
        return result;
    }

    public void Dispose() => Feed.Dispose();
}

internal sealed record Running(FakeSink Sink, Watcher Watcher, WatchSession Session, Task Task, CancellationTokenSource Cts, Task Aborted) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await Cts.CancelAsync();
        Sink.OpenGate();
        try
        {
            await Task.WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (OperationCanceledException)
        {
        }
        Cts.Dispose();
        Sink.Dispose();
    }

    public ClientState State()
    {
        var s = new ClientState();
        foreach (var m in Sink.Messages) s.Apply(m);
        return s;
    }

    /// <summary>Waits until a message says the watcher has everything up to <paramref name="revision"/>.</summary>
    public Task<IReadOnlyList<WatchMsg>> UntilAsync(long revision) =>
        Sink.WaitForAsync(ms => ms.Any(m => m.ResumeId >= revision), $"revision {revision}");
}

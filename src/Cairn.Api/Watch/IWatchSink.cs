using System.Text.Json;

namespace Cairn.Api.Watch;

/// <summary>
/// Where a watch session writes its messages: Server-Sent Events or WebSocket text messages. One JSON object per
/// message; an id (a revision the client may resume after) on the messages that complete a revision.
/// </summary>
/// <remarks>Not thread-safe: one session writes, then flushes, then writes again.</remarks>
internal interface IWatchSink
{
    /// <summary>Starts a message; write exactly one JSON value to the returned writer, then call <see cref="EndMessage"/>.</summary>
    Utf8JsonWriter BeginMessage();

    void EndMessage(long? resumeId);

    /// <summary>Bytes written since the last flush.</summary>
    long PendingBytes { get; }

    /// <summary>Sends what was written; waits while the client is not reading (back-pressure, never the apply thread).</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken);
}

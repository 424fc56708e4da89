namespace Cairn.LoadTest;

/// <summary>--verify: reading acknowledged writes back and judging what comes back.</summary>
public sealed partial class BenchWorker
{
    private async ValueTask AcknowledgedAsync(int key, long revision, string tag, bool readBack)
    {
        if (_run.Tracker is null) return;
        _run.Tracker.Acknowledged(key, revision, tag);
        if (readBack) await VerifyReadBackAsync(_run.Keys.ReadPath(key), _run.Keys.Name(key), revision, tag);
    }

    /// <summary>Right after an acknowledged write: the read must show it, or something newer.</summary>
    private async ValueTask VerifyReadBackAsync(string target, string name, long revision, string tag)
    {
        var tracker = _run.Tracker!;
        var started = Clock.Now;
        var (read, _) = await ReadAsync(target, name);
        Stats.Record(BenchOp.VerifyGet, Clock.ToNanos(Clock.Now - started));
        if (read.Failure == FailureKind.Cancelled) return;
        if (revision <= 0)
        {
            tracker.Mismatch(name, $"the write of {tag} was acknowledged without a revision (ETag)");
            return;
        }
        Judge(tracker, name, read, revision, tag, final: false, hadUnknownWrite: false);
    }

    /// <summary>After the run: every key's last acknowledged write must be what the store holds.</summary>
    public async Task FinalSweepAsync(Func<int> nextKey, WorkerStats stats)
    {
        Stats = stats;
        var tracker = _run.Tracker!;
        for (var key = nextKey(); key >= 0; key = nextKey())
        {
            if (tracker.Latest(key) is not { } latest) continue;
            var name = _run.Keys.Name(key);
            var started = Clock.Now;
            var (read, _) = await ReadAsync(_run.Keys.ReadPath(key), name);
            stats.Record(BenchOp.VerifyGet, Clock.ToNanos(Clock.Now - started));
            if (read.Failure == FailureKind.Cancelled) return;
            Judge(tracker, name, read, latest.Revision, latest.Tag, final: true, tracker.HadUnknownWrite(key));
        }
    }

    private void Judge(WriteTracker tracker, string name, in HttpOutcome read, long revision, string tag, bool final, bool hadUnknownWrite)
    {
        if (read.Failure == FailureKind.Status && read.Status == 404 && read.Detail == "not-found")
        {
            if (hadUnknownWrite) tracker.CouldNotVerify();
            else tracker.Mismatch(name, $"the write of {tag} acknowledged at revision {revision} is missing (404 not-found)");
            return;
        }
        if (!read.IsSuccess)
        {
            Stats.Error(BenchOp.VerifyGet, read.ErrorKind());
            tracker.CouldNotVerify();
            return;
        }
        var body = _connection.Body(read);
        var seen = read.Revision;
        tracker.Compared();
        if (seen == revision)
        {
            if (!Values.Matches(body, tag, _options.ValueBytes))
                tracker.Mismatch(name, $"revision {revision} holds {Describe(body)}, not the acknowledged value {tag}");
            return;
        }
        if (seen <= 0)
        {
            tracker.Mismatch(name, $"the read of {tag}'s key carried no revision (ETag)");
            return;
        }
        if (seen < revision)
        {
            tracker.Mismatch(name, $"read revision {seen} ({Describe(body)}) after the write of {tag} was acknowledged at revision {revision}: a stale read or a lost write");
            return;
        }
        // Newer than the acknowledged write: another worker's later write during the run, or,
        // after the run, only a write whose answer was lost can explain it.
        if (!final) return;
        if (hadUnknownWrite) tracker.CouldNotVerify();
        else tracker.Mismatch(name, $"holds revision {seen} ({Describe(body)}), which no acknowledged write produced; the last acknowledged write was {tag} at revision {revision}");
    }

    private static string Describe(ReadOnlySpan<byte> body)
    {
        var tag = Values.TagOf(body) ?? "";
        return tag.Length <= 80 ? tag : tag[..80] + "…";
    }
}

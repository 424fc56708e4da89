namespace Cairn.LoadTest;

/// <summary>The operations. Each returns true (done), false (failed, counted) or null (cancelled).</summary>
public sealed partial class BenchWorker
{
    private async ValueTask<bool?> GetAsync(int key)
    {
        var (outcome, _) = await ReadAsync(_run.Keys.ReadPath(key), _run.Keys.Name(key));
        if (outcome.Failure == FailureKind.Cancelled) return null;
        if (!outcome.IsSuccess) Failed(BenchOp.Get, outcome);
        return outcome.IsSuccess;
    }

    /// <summary>A GET recorded in the history: Ok with the observed tag (null for a 404 not-found), else Unknown.</summary>
    private async ValueTask<(HttpOutcome Outcome, string? Observed)> ReadAsync(string target, string keyName)
    {
        var invoked = Clock.Now;
        var outcome = await _connection.SendAsync(BenchMethod.Get, target);
        var completed = Clock.Now;
        string? observed = null;
        var absent = outcome.Failure == FailureKind.Status && outcome.Status == 404 && outcome.Detail == "not-found";
        if (outcome.IsSuccess && _run.NeedsTags) observed = Values.TagOf(_connection.Body(outcome));
        if (_run.History is not null)
        {
            var result = outcome.IsSuccess || absent ? HistoryOutcome.Ok : HistoryOutcome.Unknown;
            Record(new HistoryEntry(Id, keyName, HistoryOpKind.Read, null, null, observed, null, invoked, completed, result));
        }
        return (outcome, observed);
    }

    private async ValueTask<bool?> PutAsync(int key, bool readBack)
    {
        var (length, tag) = NextValue();
        var name = _run.Keys.Name(key);
        var invoked = Clock.Now;
        var outcome = await _connection.SendAsync(BenchMethod.Put, _run.Keys.Path(key), _value.AsMemory(0, length), _run.ContentType);
        var completed = Clock.Now;
        Record(WriteEntry(name, tag, null, invoked, completed, outcome, cas: false));
        if (outcome.Failure == FailureKind.Cancelled) return null;
        if (!outcome.IsSuccess)
        {
            if (outcome.OutcomeUnknown) _run.Tracker?.OutcomeUnknown(key);
            Failed(BenchOp.Put, outcome);
            return false;
        }
        await AcknowledgedAsync(key, outcome.Revision, tag!, readBack);
        return true;
    }

    private async ValueTask<bool?> PostAsync()
    {
        var (length, tag) = NextValue();
        var outcome = await _connection.SendAsync(BenchMethod.Post, _run.Keys.CollectionPath, _value.AsMemory(0, length), _run.ContentType);
        if (outcome.Failure == FailureKind.Cancelled) return null;
        if (!outcome.IsSuccess)
        {
            Failed(BenchOp.Post, outcome);
            return false;
        }
        if (_run.Tracker is not null)
        {
            if (BenchConnection.IdOf(_connection.Body(outcome)) is { } id) await VerifyReadBackAsync(_run.Keys.ReadPathOf(id), id, outcome.Revision, tag!);
            else _run.Tracker.Mismatch("(post)", "the answer to a POST carried no document id");
        }
        return true;
    }

    /// <summary>GET, then PUT with If-Match on the revision read (If-None-Match: * if absent); again on 412.</summary>
    private async ValueTask<bool?> CasAsync(int key)
    {
        var name = _run.Keys.Name(key);
        for (var attempt = 0; attempt <= _options.CasRetriesMax; attempt++)
        {
            var (read, observed) = await ReadAsync(_run.Keys.ReadPath(key), name);
            if (read.Failure == FailureKind.Cancelled) return null;
            var absent = read.Failure == FailureKind.Status && read.Status == 404 && read.Detail == "not-found";
            if (!read.IsSuccess && !absent)
            {
                Failed(BenchOp.Cas, read);
                return false;
            }
            if (read.IsSuccess && read.Revision <= 0)
            {
                Stats.Error(BenchOp.Cas, "cas: the read carried no revision (ETag)");
                return false;
            }

            var (length, tag) = NextValue();
            var invoked = Clock.Now;
            var write = await _connection.SendAsync(BenchMethod.Put, _run.Keys.Path(key), _value.AsMemory(0, length), _run.ContentType,
                ifMatch: absent ? 0 : read.Revision, ifNoneMatchAny: absent);
            var completed = Clock.Now;
            var mismatch = write.Failure == FailureKind.Status && write.Status == 412;
            Record(WriteEntry(name, tag, absent ? null : observed, invoked, completed, write, cas: true));
            if (write.Failure == FailureKind.Cancelled) return null;
            if (write.IsSuccess)
            {
                await AcknowledgedAsync(key, write.Revision, tag!, readBack: true);
                return true;
            }
            if (!mismatch)
            {
                if (write.OutcomeUnknown) _run.Tracker?.OutcomeUnknown(key);
                Failed(BenchOp.Cas, write);
                return false;
            }
            Stats.CasRetries++;
        }
        Stats.CasGaveUp++;
        Stats.Error(BenchOp.Cas, $"cas: still conflicting after {_options.CasRetriesMax} retries");
        return false;
    }

    /// <summary>The history entry of a write or cas: Ok / mismatch (412) / Fail (other 4xx) / Unknown.</summary>
    private HistoryEntry? WriteEntry(string key, string? tag, string? expected, long invoked, long completed, in HttpOutcome outcome, bool cas)
    {
        if (_run.History is null) return null;
        var kind = cas ? HistoryOpKind.Cas : HistoryOpKind.Write;
        if (outcome.IsSuccess) return new HistoryEntry(Id, key, kind, tag, expected, null, cas ? true : null, invoked, completed, HistoryOutcome.Ok);
        if (cas && outcome.Failure == FailureKind.Status && outcome.Status == 412)
            return new HistoryEntry(Id, key, kind, tag, expected, null, false, invoked, completed, HistoryOutcome.Ok);
        var result = outcome.OutcomeUnknown ? HistoryOutcome.Unknown : HistoryOutcome.Fail;
        return new HistoryEntry(Id, key, kind, tag, expected, null, null, invoked, completed, result);
    }
}

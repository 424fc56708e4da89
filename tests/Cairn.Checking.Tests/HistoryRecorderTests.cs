using Cairn.Checking;

namespace Cairn.Checking.Tests;

public sealed class HistoryRecorderTests
{
    /// <summary>A clock the test moves by hand: one tick per reading.</summary>
    private sealed class TickClock
    {
        private long _now;

        public long Read() => Interlocked.Increment(ref _now);
    }

    [Fact]
    public void Recorder_StampsInvokeAndCompleteFromItsClock_AndFillsOutputs()
    {
        var recorder = new HistoryRecorder(new TickClock().Read);
        var write = recorder.InvokeWrite(1, "k", "a");
        var read = recorder.InvokeRead(2, "k");
        recorder.CompleteOk(write);
        var cas = recorder.InvokeCas(3, "k", "a", "b");
        recorder.CompleteRead(read, "a");
        recorder.CompleteCas(cas, succeeded: true);
        var delete = recorder.InvokeDelete(1, "k");
        recorder.CompleteFail(delete);

        Assert.Equal(
        [
            Operation.Write(1, "k", "a", 1, 3),
            Operation.Read(2, "k", 2, 5, "a"),
            Operation.Cas(3, "k", "a", "b", 4, 6, succeeded: true),
            Operation.Delete(1, "k", 7, 8, OpOutcome.Fail),
        ], recorder.Snapshot());
    }

    [Fact]
    public void OperationsNeverCompleted_AreReportedAsUnknown()
    {
        var recorder = new HistoryRecorder(new TickClock().Read);
        recorder.InvokeWrite(1, "k", "a");
        var timedOut = recorder.InvokeWrite(2, "k", "b");
        recorder.CompleteUnknown(timedOut);

        var history = recorder.Snapshot();

        Assert.All(history, op => Assert.Equal(OpOutcome.Unknown, op.Outcome));
        Assert.Equal(Verdict.Linearizable, LinearizabilityChecker.Check(history).Verdict);
    }

    [Fact]
    public void CompletingAnOperationTwice_IsAProgrammerError()
    {
        var recorder = new HistoryRecorder(new TickClock().Read);
        var write = recorder.InvokeWrite(1, "k", "a");
        recorder.CompleteOk(write);
        Assert.Throws<InvariantViolationException>(() => recorder.CompleteOk(write));
    }

    [Fact]
    public void CompletingWithTheWrongKind_IsAProgrammerError()
    {
        var recorder = new HistoryRecorder(new TickClock().Read);
        var read = recorder.InvokeRead(1, "k");
        Assert.Throws<InvariantViolationException>(() => recorder.CompleteCas(read, succeeded: true));
        Assert.Throws<InvariantViolationException>(() => recorder.CompleteOk(read));
    }

    [Fact]
    public void Recorder_RefusesToGrowPastItsLimit()
    {
        var recorder = new HistoryRecorder(new TickClock().Read, operationsMax: 2);
        recorder.InvokeRead(1, "k");
        recorder.InvokeRead(1, "k");
        Assert.Throws<InvariantViolationException>(() => recorder.InvokeRead(1, "k"));
    }

    [Fact]
    public void ConcurrentClients_OfALockedStore_RecordALinearizableHistory()
    {
        var recorder = new HistoryRecorder(); // the real monotonic clock, shared by all threads
        var store = new Dictionary<string, string>();
        var gate = new Lock();
        const int clients = 4, opsPerClient = 2_000;
        Parallel.For(0, clients, new ParallelOptions { MaxDegreeOfParallelism = clients }, client =>
        {
            var rng = new Random(client);
            for (var n = 0; n < opsPerClient; n++)
            {
                var key = $"k{rng.Next(3)}";
                switch (rng.Next(4))
                {
                    case 0:
                        var read = recorder.InvokeRead(client, key);
                        string? seen;
                        lock (gate) seen = store.GetValueOrDefault(key);
                        recorder.CompleteRead(read, seen);
                        break;
                    case 1:
                        var value = $"c{client}-{n}";
                        var write = recorder.InvokeWrite(client, key, value);
                        lock (gate) store[key] = value;
                        recorder.CompleteOk(write);
                        break;
                    case 2:
                        string? expected;
                        lock (gate) expected = store.GetValueOrDefault(key); // often stale by the time it is used
                        var next = $"c{client}-{n}";
                        var cas = recorder.InvokeCas(client, key, expected, next);
                        bool swapped;
                        lock (gate)
                        {
                            swapped = store.GetValueOrDefault(key) == expected;
                            if (swapped) store[key] = next;
                        }
                        recorder.CompleteCas(cas, swapped);
                        break;
                    default:
                        var delete = recorder.InvokeDelete(client, key);
                        lock (gate) store.Remove(key);
                        recorder.CompleteOk(delete);
                        break;
                }
            }
        });

        var result = LinearizabilityChecker.Check(recorder.Snapshot());

        Assert.True(result.Verdict == Verdict.Linearizable, result.Describe());
        Assert.Equal(clients * opsPerClient, result.Operations);
    }

    [Fact]
    public void AStoreServingReadsFromAStaleReplica_IsCaught()
    {
        // One client, so the order is deterministic: the "replica" lags one write behind.
        var recorder = new HistoryRecorder(new TickClock().Read);
        string? primary = null, replica = null;
        for (var n = 0; n < 3; n++)
        {
            var write = recorder.InvokeWrite(1, "k", $"v{n}");
            (replica, primary) = (primary, $"v{n}");
            recorder.CompleteOk(write);
            var read = recorder.InvokeRead(1, "k");
            recorder.CompleteRead(read, replica);
        }

        var result = LinearizabilityChecker.Check(recorder.Snapshot());

        Assert.Equal(Verdict.Illegal, result.Verdict);
        Assert.Equal(OpKind.Read, Assert.Single(result.IllegalKeys).Diagnostic!.Unplaceable.Kind);
    }
}

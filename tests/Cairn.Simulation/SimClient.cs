using System.Text;
using Cairn.Store;
using Cairn.Checking;

namespace Cairn.Simulation;

/// <summary>One client request in flight: what was asked, where, and what the recorder knows of it.</summary>
internal sealed class ClientOp
{
    public required int ClientId { get; init; }
    public required OpKind Kind { get; init; }
    public required string Key { get; init; }

    /// <summary>Written value (unique across the run) for write and cas.</summary>
    public string? Value { get; init; }

    /// <summary>Cas: the value the key must hold (null = must be absent).</summary>
    public string? Expected { get; init; }

    public required string RequestId { get; init; }
    public required ulong ReadId { get; init; }
    public required OperationHandle Handle { get; init; }
    public required long Deadline { get; init; }

    public SimNode? Node { get; set; }
    public LogIndex ProposedIndex { get; set; }
    public LogIndex ReadIndex { get; set; }
    public bool HasReadIndex { get; set; }
    public bool Done { get; set; }
    public OpOutcome Outcome { get; set; }

    /// <summary>The command as the API would build it. Cas is a txn: compare the value (or absence), put on success.</summary>
    public CommandEnvelope ToEnvelope()
    {
        Command command = Kind switch
        {
            OpKind.Write => new KvPut(Key, Encoding.UTF8.GetBytes(Value!), null, Precondition.None),
            OpKind.Delete => new KvDelete(Key, Precondition.None),
            OpKind.Cas => new Txn(
                [Expected is null
                    ? new TxnCompare(Target.RawKey(Key), CompareField.Exists, CompareOp.Equal, 0, default)
                    : new TxnCompare(Target.RawKey(Key), CompareField.Value, CompareOp.Equal, 0, Encoding.UTF8.GetBytes(Expected))],
                [new TxnOp.Write(new KvPut(Key, Encoding.UTF8.GetBytes(Value!), null, Precondition.None))],
                []),
            _ => throw new InvalidOperationException($"{Kind} is not a write"),
        };
        return new CommandEnvelope(RequestId, command);
    }
}

/// <summary>
/// The simulated clients: each keeps one operation in flight (get, put, cas, delete on a few shared keys, every written
/// value unique), sends it to a random node, and records invocation and outcome in the history. Outcomes: Ok with the
/// answer, Fail when the operation certainly had no effect ("not leader", node down, read dropped), Unknown when it
/// may have applied (leadership lost or crash after proposing, timeout).
/// </summary>
internal sealed class SimClients
{
    private readonly Cluster _cluster;
    private readonly Random _rng;
    private readonly ClientOp?[] _inFlight;
    private readonly long[] _nextStart;
    private readonly int[] _sequence;
    private readonly string?[] _lastSeen; // per client × key: the last value it read, to aim its cas at
    private readonly string[] _keys;
    private ulong _readIds;

    public SimClients(Cluster cluster, Random rng, int clients, int keys)
    {
        _cluster = cluster;
        _rng = rng;
        // One extra slot: the liveness probe, a client that only writes when the liveness phase asks it to.
        _inFlight = new ClientOp?[clients + 1];
        _nextStart = new long[clients + 1];
        _sequence = new int[clients + 1];
        _lastSeen = new string?[(clients + 1) * keys];
        ProbeClient = clients;
        _keys = [.. Enumerable.Range(0, keys).Select(k => $"k{k}")];
        Recorder = new HistoryRecorder(() => cluster.Now, operationsMax: 1_000_000);
    }

    public HistoryRecorder Recorder { get; }

    /// <summary>Operations by kind and outcome, for the figures.</summary>
    public long[,] Outcomes { get; } = new long[4, 3];

    /// <summary>False during the liveness phase: in-flight operations finish, no new ones start.</summary>
    public bool Issuing { get; set; } = true;

    public int InFlightCount => _inFlight.Count(op => op is not null);

    /// <summary>The client id of the liveness probe.</summary>
    public int ProbeClient { get; }

    public ClientOp? ProbeInFlight => _inFlight[ProbeClient];

    /// <summary>Times out overdue operations and starts new ones.</summary>
    public void Tick()
    {
        var now = _cluster.Now;
        for (var c = 0; c < _inFlight.Length; c++)
        {
            if (_inFlight[c] is { } op && now > op.Deadline) Unknown(op);
            if (_inFlight[c] is null && Issuing && c != ProbeClient && now >= _nextStart[c]) StartOp(c);
        }
    }

    private void StartOp(int client)
    {
        var key = _rng.Next(_keys.Length);
        var roll = _rng.Next(100);
        var kind = roll < 35 ? OpKind.Read : roll < 65 ? OpKind.Write : roll < 85 ? OpKind.Cas : OpKind.Delete;
        var seq = ++_sequence[client];
        var value = kind is OpKind.Write or OpKind.Cas ? $"c{client}.{seq}" : null;
        // Aim most cas at the value last seen (so some succeed), some at absence, a few at a stale guess.
        var expected = kind == OpKind.Cas ? (_rng.Next(4) == 0 ? null : _lastSeen[(client * _keys.Length) + key]) : null;
        var handle = Recorder.Invoke(client, _keys[key], kind, value, expected);
        var op = new ClientOp
        {
            ClientId = client, Kind = kind, Key = _keys[key], Value = value, Expected = expected,
            RequestId = $"c{client}-{seq}", ReadId = ++_readIds, Handle = handle,
            Deadline = _cluster.Now + _cluster.Options.ClientTimeoutTicks,
        };
        _inFlight[client] = op;
        _cluster.Trace.Add(20, (ulong)client, (ulong)kind, (ulong)key);
        var node = _cluster.PickNodeForClient(_rng);
        if (node is null)
        {
            Fail(op);
            return;
        }
        Submit(op, node);
    }

    /// <summary>Hands a request to a node: queued while the node waits for an fsync (like the driver's input channel).</summary>
    public void Submit(ClientOp op, SimNode node)
    {
        if (node.IsSyncing)
        {
            node.Defer(op);
            return;
        }
        if (op.Kind == OpKind.Read) node.SubmitRead(op, this);
        else SubmitWrite(op, node);
        _cluster.Checker.AfterStep(node);
    }

    /// <summary>Like a client library: a "not leader" answer naming a leader is followed once (that attempt did not apply).</summary>
    private void SubmitWrite(ClientOp op, SimNode node)
    {
        var hint = node.SubmitWrite(op);
        if (hint is null) return;
        if (!hint.Value.IsNone && _cluster.NodeById(hint.Value) is { IsUp: true } leader && leader != node)
        {
            Redirects++;
            if (leader.IsSyncing)
            {
                leader.Defer(op);
                return;
            }
            hint = leader.SubmitWrite(op);
            _cluster.Checker.AfterStep(leader);
            if (hint is null) return;
        }
        Fail(op);
    }

    /// <summary>Writes re-sent to the leader a node named.</summary>
    public long Redirects { get; private set; }

    /// <summary>The liveness probe: a fresh write on the first key, sent to <paramref name="node"/>.</summary>
    public ClientOp StartProbe(SimNode node)
    {
        Invariant.Check(_inFlight[ProbeClient] is null, "one probe at a time");
        var seq = ++_sequence[ProbeClient];
        var op = new ClientOp
        {
            ClientId = ProbeClient, Kind = OpKind.Write, Key = _keys[0], Value = $"probe.{seq}",
            RequestId = $"probe-{seq}", ReadId = ++_readIds, Handle = Recorder.InvokeWrite(ProbeClient, _keys[0], $"probe.{seq}"),
            Deadline = _cluster.Now + _cluster.Options.ClientTimeoutTicks,
        };
        _inFlight[ProbeClient] = op;
        _cluster.Trace.Add(22, (ulong)seq);
        Submit(op, node);
        return op;
    }

    /// <summary>The proposing node applied the entry carrying this request.</summary>
    public void Answer(ClientOp op, CommandResult result)
    {
        switch (op.Kind)
        {
            case OpKind.Write:
                Invariant.Check(result.Code == ResultCode.Ok, $"a put applies: {result.Code} {result.Message}");
                Recorder.CompleteOk(op.Handle);
                break;
            case OpKind.Delete:
                // NotFound also leaves the key absent: the register's delete.
                Invariant.Check(result.Code is ResultCode.Ok or ResultCode.NotFound, $"a delete applies: {result.Code} {result.Message}");
                Recorder.CompleteOk(op.Handle);
                break;
            case OpKind.Cas:
                Invariant.Check(result.Code == ResultCode.Ok && result.Txn is not null, $"a cas txn applies: {result.Code} {result.Message}");
                Recorder.CompleteCas(op.Handle, result.Txn!.Succeeded);
                break;
            default:
                Invariant.Fail($"{op.Kind} is not answered from an apply");
                break;
        }
        Finish(op, OpOutcome.Ok);
    }

    public void AnswerRead(ClientOp op, StoreView view)
    {
        string? observed = view.TryGetKey(op.Key, 0, out var entry) ? Encoding.UTF8.GetString(entry.Value.Span) : null;
        Recorder.CompleteRead(op.Handle, observed);
        var keyIndex = Array.IndexOf(_keys, op.Key);
        _lastSeen[(op.ClientId * _keys.Length) + keyIndex] = observed;
        Finish(op, OpOutcome.Ok);
    }

    public void Fail(ClientOp op)
    {
        Recorder.CompleteFail(op.Handle);
        Finish(op, OpOutcome.Fail);
    }

    public void Unknown(ClientOp op)
    {
        Recorder.CompleteUnknown(op.Handle);
        Finish(op, OpOutcome.Unknown);
    }

    private void Finish(ClientOp op, OpOutcome outcome)
    {
        op.Outcome = outcome;
        Invariant.Check(!op.Done && ReferenceEquals(_inFlight[op.ClientId], op), "an operation completes once");
        op.Done = true;
        _inFlight[op.ClientId] = null;
        Outcomes[(int)op.Kind, (int)outcome]++;
        // A failed attempt (typically "no leader") backs off a little before the next one, like a client library would.
        _nextStart[op.ClientId] = _cluster.Now + (outcome == OpOutcome.Fail ? _rng.Next(2, 7) : _rng.Next(0, 4));
        _cluster.Trace.Add(21, (ulong)op.ClientId, (ulong)outcome, (ulong)_cluster.Now);
    }
}

using Cairn.Checking;

namespace Cairn.TestKit;

/// <summary>Generators of random histories, seeded so every failure can be replayed.</summary>
public static class RandomHistories
{
    private static readonly string?[] SmallValues = [null, "a", "b", "c"];

    public sealed record Shape(int Operations, int Clients, string[] Keys, int GapMax, int DurationMax,
        double FailRate, double UnknownRate, bool UniqueValues)
    {
        /// <summary>The kinds drawn from, uniformly; repeat a kind to weight it.</summary>
        public OpKind[] Kinds { get; init; } = [OpKind.Read, OpKind.Write, OpKind.Cas, OpKind.Delete];
    }

    /// <summary>
    /// A history that is linearizable by construction: every operation gets a linearization
    /// point inside its interval (after the invoke, anywhere, for Unknown ones), and outputs
    /// come from applying the operations to a register in point order. Each client is sequential.
    /// </summary>
    public static List<Operation> Legal(Random rng, Shape shape)
    {
        var clientTime = new long[shape.Clients];
        var planned = new List<(Operation Op, long Point, int Tie, bool TakesEffect)>(shape.Operations);
        for (var n = 0; n < shape.Operations; n++)
        {
            var client = rng.Next(shape.Clients);
            var invoke = clientTime[client] + rng.Next(shape.GapMax + 1);
            var complete = invoke + rng.Next(shape.DurationMax + 1);
            clientTime[client] = complete + 1;
            var roll = rng.NextDouble();
            var outcome = roll < shape.FailRate ? OpOutcome.Fail : roll < shape.FailRate + shape.UnknownRate ? OpOutcome.Unknown : OpOutcome.Ok;
            var point = outcome == OpOutcome.Unknown
                ? invoke + rng.Next(3 * shape.DurationMax + 1)
                : invoke + (long)(rng.NextDouble() * (complete - invoke + 1));
            var op = new Operation
            {
                ClientId = client, Key = shape.Keys[rng.Next(shape.Keys.Length)], Kind = shape.Kinds[rng.Next(shape.Kinds.Length)],
                Invoke = invoke, Complete = complete, Outcome = outcome,
            };
            var takesEffect = outcome == OpOutcome.Ok || (outcome == OpOutcome.Unknown && rng.Next(2) == 0);
            planned.Add((op, Math.Min(point, complete + 3L * shape.DurationMax), rng.Next(), takesEffect));
        }

        // Inputs are chosen at the linearization point, when the current value is known, so
        // that cas operations succeed often enough to matter.
        planned.Sort((x, y) => x.Point != y.Point ? x.Point.CompareTo(y.Point) : x.Tie.CompareTo(y.Tie));
        var registers = new Dictionary<string, string?>();
        var history = new List<Operation>(planned.Count);
        var counter = 0;
        foreach (var (op, _, _, takesEffect) in planned)
        {
            registers.TryGetValue(op.Key, out var current);
            string? NewValue() => shape.UniqueValues ? $"v{counter++}" : SmallValues[1 + rng.Next(SmallValues.Length - 1)];
            var filled = op.Kind switch
            {
                OpKind.Read => op with { Output = op.Outcome == OpOutcome.Ok ? current : null },
                OpKind.Write => op with { Value = NewValue() },
                OpKind.Delete => op,
                _ => FillCas(op, current, rng, NewValue()),
            };
            if (takesEffect)
            {
                if (filled.Kind == OpKind.Write) registers[op.Key] = filled.Value;
                else if (filled.Kind == OpKind.Delete) registers[op.Key] = null;
                else if (filled.Kind == OpKind.Cas && (filled.Outcome == OpOutcome.Unknown || filled.CasSucceeded == true)
                         && filled.Expected == current)
                    registers[op.Key] = filled.Value;
            }
            history.Add(filled);
        }
        history.Sort((x, y) => x.Invoke.CompareTo(y.Invoke));
        return history;
    }

    private static Operation FillCas(Operation op, string? current, Random rng, string? newValue)
    {
        var expected = rng.Next(2) == 0 ? current : SmallValues[rng.Next(SmallValues.Length)];
        var value = rng.Next(8) == 0 ? null : newValue;
        return op with
        {
            Expected = expected,
            Value = value,
            CasSucceeded = op.Outcome == OpOutcome.Ok ? expected == current : null,
        };
    }

    /// <summary>Any well-formed history: random intervals, inputs, outputs and outcomes.</summary>
    public static List<Operation> Arbitrary(Random rng, int operations, string[] keys)
    {
        var history = new List<Operation>(operations);
        for (var n = 0; n < operations; n++)
        {
            var invoke = rng.Next(20);
            var complete = invoke + rng.Next(10);
            var roll = rng.Next(10);
            var outcome = roll < 1 ? OpOutcome.Fail : roll < 3 ? OpOutcome.Unknown : OpOutcome.Ok;
            var kind = (OpKind)rng.Next(4);
            var known = outcome == OpOutcome.Ok;
            history.Add(new Operation
            {
                ClientId = n, Key = keys[rng.Next(keys.Length)], Kind = kind,
                Value = kind == OpKind.Write ? SmallValues[1 + rng.Next(3)] : kind == OpKind.Cas ? SmallValues[rng.Next(4)] : null,
                Expected = kind == OpKind.Cas ? SmallValues[rng.Next(4)] : null,
                Output = kind == OpKind.Read && known ? SmallValues[rng.Next(4)] : null,
                CasSucceeded = kind == OpKind.Cas && known ? rng.Next(2) == 0 : null,
                Invoke = invoke, Complete = complete, Outcome = outcome,
            });
        }
        return history;
    }
}

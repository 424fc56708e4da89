using Cairn.Checking;

namespace Cairn.TestKit.Tests;

/// <summary>The shared history generator is what the checker's tests lean on, so it is tested too.</summary>
public sealed class RandomHistoriesTests
{
    private static readonly RandomHistories.Shape Busy = new(Operations: 2_000, Clients: 8, Keys: ["a", "b", "c"],
        GapMax: 4, DurationMax: 12, FailRate: 0.05, UnknownRate: 0.1, UniqueValues: true);

    [Fact]
    public void Legal_IsAPureFunctionOfTheSeed()
    {
        Assert.Equal(RandomHistories.Legal(new Random(3), Busy), RandomHistories.Legal(new Random(3), Busy));
        Assert.NotEqual(RandomHistories.Legal(new Random(3), Busy), RandomHistories.Legal(new Random(4), Busy));
    }

    [Fact]
    public void Legal_KeepsEveryClientSequential_InInvocationOrder()
    {
        var history = RandomHistories.Legal(new Random(5), Busy);

        Assert.Equal(Busy.Operations, history.Count);
        Assert.All(history, op => Assert.Null(op.Validate()));
        Assert.True(history.Zip(history.Skip(1)).All(p => p.First.Invoke <= p.Second.Invoke), "sorted by invocation");
        foreach (var client in history.GroupBy(op => op.ClientId))
        {
            var ops = client.ToList();
            for (var i = 1; i < ops.Count; i++)
                Assert.True(ops[i - 1].Complete < ops[i].Invoke, $"client {client.Key} has two operations in flight: {ops[i - 1]} and {ops[i]}");
        }
        // Every outcome is represented, or the generator would not exercise the checker's rules.
        Assert.Equal(3, history.Select(op => op.Outcome).Distinct().Count());
        Assert.Equal(4, history.Select(op => op.Kind).Distinct().Count());
    }

    [Fact]
    public void Legal_HistoriesAreLinearizable_ByConstruction()
    {
        for (var seed = 0; seed < 20; seed++)
        {
            var result = LinearizabilityChecker.Check(RandomHistories.Legal(new Random(seed), Busy));
            Assert.True(result.Verdict == Verdict.Linearizable, $"seed {seed}: {result.Describe()}");
        }
    }

    [Fact]
    public void Arbitrary_ProducesWellFormedOperations_OfEveryKindAndOutcome()
    {
        var history = RandomHistories.Arbitrary(new Random(6), 500, ["x", "y"]);

        Assert.Equal(500, history.Count);
        Assert.All(history, op => Assert.Null(op.Validate()));
        Assert.Equal(3, history.Select(op => op.Outcome).Distinct().Count());
        Assert.Equal(4, history.Select(op => op.Kind).Distinct().Count());
        Assert.Equal(["x", "y"], history.Select(op => op.Key).Distinct().Order(StringComparer.Ordinal));
    }
}

using System.Text;
using Cairn.Consensus;
using Cairn.Consensus.Tests.Harness;

namespace Cairn.Consensus.Tests;

/// <summary>
/// Each TestingFaults switch breaks one safety rule; each test runs a scripted scenario with and without it and
/// requires the observers to see a violation only with it. A switch that produced no violation would mean the
/// scenario (or the observers) cannot detect that class of bug.
/// </summary>
public sealed class TeethTests
{
    [Fact]
    public void CommitEarlierTermByCounting_LosesACommittedEntry_InFigure8()
    {
        var broken = Figure8.Run(TestingFaults.CommitEarlierTermByCounting);
        var safe = Figure8.Run(TestingFaults.None);

        Assert.Contains("a", broken.Nodes[1].AppliedHistory.Values.Select(e => Encoding.UTF8.GetString(e.Data.Span)));
        Assert.Contains(broken.Violations, v => v.StartsWith("leader completeness", StringComparison.Ordinal));
        safe.AssertSafe();
    }
}

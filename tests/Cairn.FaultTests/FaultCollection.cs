namespace Cairn.FaultTests;

/// <summary>
/// Every fault scenario belongs to this collection: each starts a real cluster and measures elections, so they run
/// one at a time (the machine has two cores) and never alongside each other.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultCollection
{
    public const string Name = "faults";
}

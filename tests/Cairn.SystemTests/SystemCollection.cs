namespace Cairn.SystemTests;

/// <summary>
/// Every system test class belongs to this collection: they start real processes and measure elections, so they
/// run one at a time (the machine has few cores) and never alongside each other.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SystemCollection
{
    public const string Name = "system";
}

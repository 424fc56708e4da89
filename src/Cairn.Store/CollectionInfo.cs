namespace Cairn.Store;

/// <summary>A collection and how many documents it holds.</summary>
public sealed record CollectionInfo(string Name, long Count);

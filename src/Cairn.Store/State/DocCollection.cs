using Cairn.Store.Collections;

namespace Cairn.Store.State;

/// <summary>
/// One collection: its documents by id. <see cref="Name"/> is the one string instance every document
/// of the collection points at, so a million documents do not carry a million copies of the name.
/// </summary>
internal sealed record DocCollection(string Name, PersistentMap<string, Document> Documents);

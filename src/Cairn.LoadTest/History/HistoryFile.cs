using Cairn.Checking;

namespace Cairn.LoadTest;

/// <summary>
/// Writes a run's history (--history) in the checker's JSON-lines format (<see cref="HistoryJson"/>),
/// so a recorded run can be re-checked offline with <c>HistoryJson.ReadFile</c> and
/// <c>LinearizabilityChecker.Check</c>.
/// </summary>
public static class HistoryFile
{
    public static void Write(string path, IReadOnlyList<HistoryEntry> history) =>
        HistoryJson.WriteFile(path, history.Select(LinearizabilityHistoryChecker.ToOperation));
}

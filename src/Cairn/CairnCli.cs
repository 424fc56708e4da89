using System.CommandLine;

namespace Cairn.Cli;

/// <summary>The whole command tree of the <c>cairn</c> executable, built fresh per call (tests invoke it in-process).</summary>
internal static class CairnCli
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Cairn: a replicated, in-memory document and key-value store.");
        root.Options.Add(ClientCommands.ServerOption);
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(DevCommand.Create());
        root.Subcommands.Add(WatchCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        foreach (var command in ClientCommands.Create()) root.Subcommands.Add(command);
        foreach (var command in BackupCommands.Create()) root.Subcommands.Add(command);
        return root;
    }
}
